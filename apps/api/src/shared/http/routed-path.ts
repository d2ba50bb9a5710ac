import type { FastifyRequest } from 'fastify';

/**
 * The path of the route the router matched (`/viewer/login`), else the URL as sent. Decisions that
 * depend on where a request goes (the viewer's policy, its form reader) must follow the router, which
 * decodes percent-escapes and ignores case and a trailing slash: `/%76iewer/LOGIN/` is the viewer's
 * sign-in page, though its text does not start with `/viewer`.
 */
export const routedPath = (request: Pick<FastifyRequest, 'url' | 'routeOptions'>): string => request.routeOptions?.url ?? request.url;
