import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HEAD_REFUSED_CONFIG } from '../shared/http/replies';

/** The methods served at a path, keyed by the server they were registered on (children inherit it). */
const ROUTE_TABLE = Symbol('trial-ledger.routeTable');

interface RouteEntry {
  readonly method: string;
  readonly pattern: RegExp;
}

type WithRouteTable = { [ROUTE_TABLE]?: RouteEntry[] };

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A route's path as the router matches it: each `:param` one segment, a trailing slash ignored and
 * letters in any case (`caseSensitive: false, ignoreTrailingSlash: true`, see `createHttpAdapter`).
 */
const patternOf = (url: string): RegExp => {
  const segments = url.replace(/\/+$/, '').split('/').map((segment) => (segment.startsWith(':') ? '[^/]+' : escapeRegExp(segment)));
  return new RegExp(`^${segments.join('/')}/?$`, 'i');
};

/**
 * Records every route Fastify registers (`onRoute`), so that a request for a path served under
 * other methods can be answered `405` with `Allow` (RFC 9110 §15.5.6) instead of "no such route".
 * Call before the routes are registered (`app.init()`).
 */
export const recordRouteTable = (fastify: FastifyInstance): void => {
  const table: RouteEntry[] = [];
  (fastify as unknown as WithRouteTable)[ROUTE_TABLE] = table;
  fastify.addHook('onRoute', (route) => {
    // Fastify serves HEAD with the GET handler; an export refuses it there (405), so it is not offered.
    const headRefused = (route.config as Record<string, unknown> | undefined)?.[HEAD_REFUSED_CONFIG] === true;
    for (const method of [route.method].flat()) {
      if (method.toUpperCase() === 'HEAD' && headRefused) continue;
      table.push({ method: method.toUpperCase(), pattern: patternOf(route.url ?? route.path) });
    }
  });
};

const pathOf = (request: FastifyRequest): string => {
  const path = (request.raw?.url ?? request.url ?? '').split('?')[0];
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
};

/**
 * The methods the server answers at the request's path, in registration order (empty when no route
 * serves the path under any method, or when the request reached a route).
 */
export const allowedMethodsAt = (request: FastifyRequest): string[] => {
  const table = (request.server as unknown as WithRouteTable | undefined)?.[ROUTE_TABLE];
  if (!table || request.routeOptions?.url !== undefined) return [];
  const path = pathOf(request);
  return [...new Set(table.filter((entry) => entry.pattern.test(path)).map((entry) => entry.method))];
};
