import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

/** Refuses the property when `other` is also present: the two are alternative ways to say the same thing. */
export const NotTogetherWith = (other: string, options?: ValidationOptions): PropertyDecorator =>
  (target: object, propertyName: string | symbol): void => {
    registerDecorator({
      name: 'notTogetherWith',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [other],
      options: { message: `$property and ${other} are alternatives: give one, not both`, ...options },
      validator: { validate: (_value: unknown, args: ValidationArguments) => (args.object as Record<string, unknown>)[other] === undefined },
    });
  };
