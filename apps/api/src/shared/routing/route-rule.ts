import type { Role } from '@trial-ledger/domain';

export type RouteMethod = 'GET' | 'POST';

/**
 * One row of the API's authorization table (SPEC §5: every endpoint checks the role). Each slice
 * declares its rule once; the same object configures the Nest route, the guard and the OpenAPI
 * operation, and `ROUTE_RULES` lists them all so the authorization-matrix test can walk every route.
 */
export interface RouteRule {
  /** The command or query the route carries (`RecordDose`, `GetSubject`). */
  readonly operation: string;
  readonly method: RouteMethod;
  /** Full path with Nest parameters, without a leading slash: `api/v1/studies/:studyId`. */
  readonly path: string;
  /** Roles allowed; every other authenticated role gets 403. */
  readonly roles: readonly Role[];
  readonly summary: string;
}

export const ROUTE_RULE_METADATA = 'trial-ledger:route-rule';

export const defineRoute = (rule: RouteRule): RouteRule => rule;
