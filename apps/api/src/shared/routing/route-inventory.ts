import { RequestMethod, type INestApplicationContext } from '@nestjs/common';
// The metadata keys Nest's own router reads (`@Controller`, `@Get`/`@Post`, `@UseGuards`); not re-exported by the package root.
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import type { Role } from '@trial-ledger/domain';
import { BearerAuthGuard } from '../../identity/bearer-auth.guard';
import { ROLES_METADATA } from '../../identity/roles.metadata';
import { ROUTE_RULE_METADATA, type RouteRule } from './route-rule';

/** Where a route's roles come from: its `RouteRule` (`@LedgerRoute`), identity's `@Roles()`, or nowhere. */
export type RoleSource = 'route-rule' | 'roles-decorator' | 'none';

/** One served route with the roles the bearer guard enforces on it (SPEC §5; Part 11 §11.10(d), (g)). */
export interface InventoriedRoute {
  /** `GET`, `POST`, … */
  readonly method: string;
  /** Full path with Nest parameters, without a leading slash: `api/v1/studies/:studyId`. */
  readonly path: string;
  /** The command or query: the `RouteRule`'s operation or the OpenAPI `operationId`; the handler name otherwise. */
  readonly operation: string;
  /** Roles allowed, as the bearer guard resolves them; `null` when the route has no role rule at all. */
  readonly roles: readonly Role[] | null;
  readonly roleSource: RoleSource;
  /** Whether `BearerAuthGuard` runs on the route: roles without the guard would never be enforced. */
  readonly guarded: boolean;
  readonly controller: string;
  readonly handler: string;
}

/**
 * Routes that authenticate by the credentials in their own body instead of a session: opening a
 * session, and changing a password (also the way out of an expired one, when no session can be
 * opened). They are the only `/api/v1` routes without a bearer token and a role rule; the identity
 * service records every attempt (Part 11 §11.300(d)).
 */
export const CREDENTIAL_ROUTES: readonly { readonly method: 'POST'; readonly path: string }[] = [
  { method: 'POST', path: 'api/v1/auth/login' },
  { method: 'POST', path: 'api/v1/auth/password' },
];

export const isCredentialRoute = (route: { readonly method: string; readonly path: string }): boolean =>
  CREDENTIAL_ROUTES.some((r) => r.method === route.method && r.path === route.path);

/** Nest's `@nestjs/swagger` keeps `@ApiOperation()` options under this key. */
const API_OPERATION_METADATA = 'swagger/apiOperation';

const joinPath = (...parts: readonly string[]): string =>
  parts
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter((part) => part.length > 0)
    .join('/');

const pathsOf = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [typeof value === 'string' ? value : '']);

const isBearerGuard = (guard: unknown): boolean => guard === BearerAuthGuard || guard instanceof BearerAuthGuard;

/**
 * Every route the running app serves from its controllers, read from the same metadata the bearer
 * guard reads (`@LedgerRoute` rules and identity's `@Roles()`), so a new endpoint that forgot its
 * rule shows up with `roles: null`. Sorted by path, then method. Routes outside controllers (the
 * OpenAPI document) are not listed.
 */
export const listRoutes = (app: INestApplicationContext): InventoriedRoute[] => {
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const reflector = new Reflector();
  const seen = new Set<unknown>();
  const routes: InventoriedRoute[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
    if (!controller || seen.has(controller)) continue;
    seen.add(controller);
    const controllerPaths = pathsOf(Reflect.getMetadata(PATH_METADATA, controller));
    const classGuards: unknown[] = Reflect.getMetadata(GUARDS_METADATA, controller) ?? [];
    for (const name of scanner.getAllMethodNames(controller.prototype as object)) {
      const handler = (controller.prototype as Record<string, unknown>)[name];
      if (typeof handler !== 'function') continue;
      const handlerPath: unknown = Reflect.getMetadata(PATH_METADATA, handler);
      if (handlerPath === undefined) continue;
      const requestMethod: RequestMethod = Reflect.getMetadata(METHOD_METADATA, handler) ?? RequestMethod.GET;
      const rule = reflector.get<RouteRule | undefined>(ROUTE_RULE_METADATA, handler);
      const decorated = reflector.getAllAndOverride<readonly Role[] | undefined>(ROLES_METADATA, [handler, controller]);
      const roles = decorated ?? rule?.roles ?? null;
      const roleSource: RoleSource = decorated ? 'roles-decorator' : rule ? 'route-rule' : 'none';
      const apiOperation = Reflect.getMetadata(API_OPERATION_METADATA, handler) as { operationId?: string } | undefined;
      const handlerGuards: unknown[] = Reflect.getMetadata(GUARDS_METADATA, handler) ?? [];
      const guarded = [...classGuards, ...handlerGuards].some(isBearerGuard);
      for (const base of controllerPaths) {
        for (const sub of pathsOf(handlerPath)) {
          routes.push({
            method: RequestMethod[requestMethod],
            path: joinPath(base, sub),
            operation: rule?.operation ?? apiOperation?.operationId ?? name,
            roles,
            roleSource,
            guarded,
            controller: controller.name,
            handler: name,
          });
        }
      }
    }
  }
  const key = (r: InventoriedRoute): string => `${r.path} ${r.method}`;
  return routes.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
};
