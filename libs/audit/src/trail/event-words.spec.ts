import { eventTypeInWords } from './event-words';

describe('event types in words', () => {
  it('given a type with words of its own or a plain one, then it reads as words', () => {
    expect([eventTypeInWords('SubjectScreenFailed'), eventTypeInWords('DoseAdministered')]).toEqual(['Screen failure', 'Dose administered']);
  });

  it('given a type named like a property of every object (constructor, __proto__), then it reads as that name, not as the property', () => {
    expect([eventTypeInWords('constructor'), eventTypeInWords('__proto__')]).toEqual(['constructor', '__proto__']);
  });
});
