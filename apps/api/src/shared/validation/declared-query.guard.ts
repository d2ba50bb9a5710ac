import { Injectable, SetMetadata, type CanActivate, type ExecutionContext, type Type } from '@nestjs/common';
// The metadata keys Nest's own router reads for `@Controller`/`@Get` and for `@Query()`; not re-exported by the package root.
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { HttpRequest } from '../http/http.types';
import { INHERITED_KEYS } from './inherited-keys';
import { unknownParameterErrors, validationProblem } from './request-validation.pipe';

const QUERY_PARAMETERS_METADATA = 'trial-ledger:query-parameters';

/**
 * Names the query parameters a route reads from a whole `@Query()` record it checks itself (the
 * viewer's pages, which answer their own `VIEWER.*` refusals as pages). Routes with a validated
 * `@Query()` DTO or with `@Query('name')` parameters need no such list: those declare themselves.
 */
export const QueryParameters = (...names: readonly string[]): MethodDecorator => SetMetadata(QUERY_PARAMETERS_METADATA, names);

/** `'dto'`: the route's `@Query()` DTO is validated by the request pipe, which refuses unknown names itself. */
export type QueryPolicy = 'dto' | ReadonlySet<string>;

/** What `ValidationPipe` does not validate (its own list): a `@Query()` of one of these types is not a DTO. */
const NOT_A_DTO: ReadonlySet<unknown> = new Set([String, Boolean, Number, Array, Object, Buffer, Date, undefined]);

interface RouteArgument {
  readonly index: number;
  readonly data?: unknown;
}

/**
 * The query parameters a route declares, read once from the metadata Nest's router itself reads:
 * the names of its `@Query('name')` parameters and of its `@QueryParameters(...)`; or `'dto'` when a
 * whole `@Query()` is a class the pipe validates. A route with none of them accepts no parameter; so
 * does a whole `@Query()` of a plain type that names nothing (it cannot be told what it reads).
 */
export const declaredQueryOf = (controller: Type, methodName: string): QueryPolicy => {
  const handler = (controller.prototype as Record<string, unknown>)[methodName] as object;
  const names = new Set<string>((Reflect.getMetadata(QUERY_PARAMETERS_METADATA, handler) as readonly string[] | undefined) ?? []);
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, methodName) ?? {}) as Record<string, RouteArgument>;
  const types = (Reflect.getMetadata('design:paramtypes', controller.prototype as object, methodName) ?? []) as unknown[];
  for (const [key, argument] of Object.entries(args)) {
    // Keys are `${paramtype}:${index}`; custom decorators (`@CurrentActor()`) have keys of their own.
    if (key.split(':')[0] !== String(RouteParamtypes.QUERY)) continue;
    if (typeof argument.data === 'string') names.add(argument.data);
    else if (!NOT_A_DTO.has(types[argument.index])) return 'dto';
  }
  return names;
};

/**
 * Every route refuses a query parameter it does not declare (400 `VALIDATION.FAILED`, the parameter
 * named, as the DTO whitelist words it): a route that ignored `?asKnownAt=` would show the present as
 * if it were the past, one that ignored `?dryRun=true` would write what the client thought it only
 * tried. A guard that runs after the bearer guard (`LedgerRoute` and `Roles` apply both, in that order),
 * so a caller without a session or the role gets the same 401/403, and the same audit record, whatever
 * its query, as on a route whose `@Query()` DTO the pipe checks; routes without a session (health, sign-in,
 * the viewer's pages) apply it themselves. `test/api/undeclared-query-parameters.e2e-spec.ts` sends an
 * undeclared parameter to every route, so a route without it fails. Not an interceptor: the first global
 * interceptor puts every request of every route through rxjs (measured: about 5 % of the server's CPU
 * under load). Exceptions go to the route's filter: the viewer answers with its HTML page.
 *
 * A handler's declared set is worked out on its first request; then a request costs one map lookup.
 */
@Injectable()
export class DeclaredQueryGuard implements CanActivate {
  private readonly policies = new Map<unknown, QueryPolicy>();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<HttpRequest>();
    // Most requests carry no query string at all: nothing to look up.
    if (!request.url.includes('?')) return true;
    const policy = this.policyOf(context);
    // A DTO's whitelist refuses the names it does not declare, except those every object inherits
    // (`?toString=`, `?__proto__=`), which the DTO transformer skips unseen: they are refused here.
    const undeclared = Object.keys(request.query as object).filter((name) => (policy === 'dto' ? INHERITED_KEYS.has(name) : !policy.has(name)));
    if (undeclared.length > 0) throw validationProblem(unknownParameterErrors(undeclared));
    return true;
  }

  private policyOf(context: ExecutionContext): QueryPolicy {
    const handler = context.getHandler();
    const known = this.policies.get(handler);
    if (known !== undefined) return known;
    const controller = context.getClass();
    const name = Object.getOwnPropertyNames(controller.prototype).find((n) => (controller.prototype as Record<string, unknown>)[n] === handler) ?? handler.name;
    const policy = declaredQueryOf(controller, name);
    this.policies.set(handler, policy);
    return policy;
  }
}
