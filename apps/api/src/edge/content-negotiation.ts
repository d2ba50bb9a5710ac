import { HttpStatus, Injectable, type CanActivate, type ExecutionContext, type Provider } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { DECORATORS } from '@nestjs/swagger';
import Negotiator from 'negotiator';
import { ApiProblemException } from '../shared/problem-details/api-problem.exception';
import { PROBLEM_CONTENT_TYPE } from '../shared/problem-details/problem-details';

/** What an API route answers unless it declares other types (`@ApiProduces`): JSON, and problem+json for a refusal. */
const JSON_TYPE = 'application/json';

/**
 * Each type bare and as sent (`; charset=utf-8`): a range that names the charset (`application/json;
 * charset=utf-8`) matches only a type that carries it (RFC 9110 §12.5.1).
 */
const withCharset = (types: readonly string[]): string[] => types.flatMap((type) => [type, `${type}; charset=utf-8`]);

interface RoutedRequest {
  readonly headers: { readonly accept?: string };
  readonly routeOptions?: { readonly url?: string };
}

/**
 * `Accept` on the API's routes (RFC 9110 §12.5.1). A request whose `Accept` admits none of the types the
 * route answers — its `@ApiProduces` types (the plot's SVG, an export's XML or CSV), else JSON — nor
 * `application/problem+json` is refused `406 REQUEST.NOT_ACCEPTABLE`, naming the types it could have had. A
 * global guard, so it runs before authentication, the role check and the command: nothing is read,
 * recorded or written for it. No `Accept` (or `*`/`*`) admits anything. The viewer's pages, the health
 * probes and the OpenAPI document are not concerned (browsers and probes send what they send).
 */
@Injectable()
export class AcceptableMediaGuard implements CanActivate {
  private readonly answered = new WeakMap<object, readonly string[]>();

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RoutedRequest>();
    const accept = request.headers.accept;
    if (accept === undefined || !(request.routeOptions?.url ?? '').startsWith('/api/v1/')) return true;
    const types = this.typesOf(context);
    if (new Negotiator({ headers: { accept } }).mediaTypes(withCharset(types)).length > 0) return true;
    throw new ApiProblemException(
      'REQUEST.NOT_ACCEPTABLE',
      HttpStatus.NOT_ACCEPTABLE,
      `The Accept header admits none of the types this route answers (${types.join(', ')}); nothing was done.`,
      { acceptable: types },
    );
  }

  /** The route's types and problem+json, read once per handler. */
  private typesOf(context: ExecutionContext): readonly string[] {
    const handler = context.getHandler();
    let types = this.answered.get(handler);
    if (types === undefined) {
      const produced = this.reflector.getAllAndOverride<string[] | undefined>(DECORATORS.API_PRODUCES, [handler, context.getClass()]);
      types = [...(produced?.length ? produced : [JSON_TYPE]), PROBLEM_CONTENT_TYPE];
      this.answered.set(handler, types);
    }
    return types;
  }
}

export const acceptableMediaGuard: Provider = { provide: APP_GUARD, useClass: AcceptableMediaGuard };
