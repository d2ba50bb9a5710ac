import type { ServerResponse } from 'node:http';
import { HttpStatus } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiProblemException } from '../problem-details/api-problem.exception';
import type { HttpResponse } from './http.types';

/** Whether anything of the answer has left: a refusal can no longer be sent, only the connection cut. */
export const isAnswered = (reply: HttpResponse): boolean => reply.sent || reply.raw.headersSent;

/** 303 See Other to `location`, no body: the answer to a form post (the viewer's sign-in and sign-out). */
export const seeOther = (reply: HttpResponse, location: string): void => {
  void reply.redirect(location, 303);
};

/**
 * Node's response for a body written as it is produced (downloads, with backpressure), carrying the
 * status and headers set on the reply so far. The headers leave with the first byte, so a refusal
 * raised before it is still answered as a problem by the exception filters.
 */
export const streamingBody = (reply: HttpResponse): ServerResponse => {
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
  return reply.raw;
};

/**
 * An export is recorded (`DataExported`) before it is served; a HEAD serves nothing, so it would put
 * an export in the ledger that nobody received. Fastify answers HEAD with the GET route's handler, so
 * the export routes refuse it themselves (405, `Allow: GET`) before anything is read or recorded.
 */
export const refuseHeadOfExport = (reply: HttpResponse): void => {
  if (reply.request.method !== 'HEAD') return;
  void reply.header('Allow', 'GET');
  throw new ApiProblemException('ROUTE.METHOD_NOT_ALLOWED', HttpStatus.METHOD_NOT_ALLOWED, 'An export is recorded before it is served: ask for it with GET, not HEAD.');
};

/** The route option that marks a GET whose HEAD is refused (`refuseHeadOfExport`), so `Allow` never offers it. */
export const HEAD_REFUSED_CONFIG = 'headRefused';

/** Whether the request is a HEAD of a route marked `@RefusesHead()` (refused before authentication, see `applyHttpHardening`). */
export const refusesHead = (request: { readonly method: string; readonly routeOptions?: { readonly config?: unknown } }): boolean =>
  request.method === 'HEAD' && (request.routeOptions?.config as Record<string, unknown> | undefined)?.[HEAD_REFUSED_CONFIG] === true;

/** Marks an export route: HEAD is refused before authentication (and again by its handler's `refuseHeadOfExport`); a 405 elsewhere at its path lists only GET. */
export const RefusesHead = (): MethodDecorator => RouteConfig({ [HEAD_REFUSED_CONFIG]: true });
