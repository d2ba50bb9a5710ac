import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The request and reply every route, guard and filter of the API sees: Fastify's
 * (`@nestjs/platform-fastify`). Nest middleware is the exception: it runs on Node's own
 * `IncomingMessage`/`ServerResponse` (`request.raw`, `reply.raw`).
 */
export type HttpRequest = FastifyRequest;
export type HttpResponse = FastifyReply;
