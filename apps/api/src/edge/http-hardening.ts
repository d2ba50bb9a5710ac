import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpStatus } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import { refusedPrecondition } from '../shared/http/if-match';
import { refusesHead, refuseHeadOfExport } from '../shared/http/replies';
import { OPENAPI_PATH } from '../shared/openapi';
import { ApiProblemException } from '../shared/problem-details/api-problem.exception';
import { buildProblem, PROBLEM_CONTENT_TYPE } from '../shared/problem-details/problem-details';
import { PRE_SESSION_COOKIE, SESSION_COOKIE } from '../viewer/viewer-session';

/**
 * Responses carry bearer tokens (login) or subject data (casebooks, exports, problems naming
 * subjects): no browser, proxy or CDN may keep a copy (HIPAA/GDPR minimum necessary; Part 11
 * §11.10(d) limits access to authorised people, which a shared cache would defeat). Only the static
 * OpenAPI pages may be cached.
 */
const NO_STORE = 'no-store';
const DOCS = `/${OPENAPI_PATH}`;

/**
 * helmet's defaults (CSP, HSTS, nosniff, frame-ancestors 'none', no referrer, COOP/CORP, …).
 * `upgrade-insecure-requests` is dropped because `trial-ledger serve` speaks plain HTTP on loopback
 * (TLS is the reverse proxy's job), where that directive would break the OpenAPI UI.
 */
const securityHeaders = helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });

/**
 * The headers every response gets, errors and unknown routes included: the security headers, the
 * request's correlation id and `Cache-Control: no-store`. Set on Node's response, so that whatever
 * answers — a route, Nest's error or 404 handler — sends them. (helmet runs on Node's request and
 * response, which is all `@fastify/helmet` does, in hooks; one function also serves the router's own
 * refusals, which run no hooks.) The viewer's routes replace the policy with their own (`ViewerModule`).
 */
export const applyEdgeHeaders = (request: FastifyRequest, reply: FastifyReply): void => {
  securityHeaders(request.raw, reply.raw, () => undefined);
  reply.raw.setHeader('X-Correlation-Id', request.id);
  if (!request.url.startsWith(DOCS)) reply.raw.setHeader('Cache-Control', NO_STORE);
};

/** How the server answers a connection Node could not read a request from. */
export interface UnreadableRequestAnswer {
  readonly status: number;
  readonly reason: string;
  readonly code: string;
  readonly detail: string;
}

/** Node's parser and timeout errors, by `error.code`; anything else it cannot parse is `UNREADABLE_REQUEST`. */
const UNREADABLE_REQUESTS: Readonly<Record<string, UnreadableRequestAnswer>> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', code: 'REQUEST.TIMEOUT', detail: 'The request did not arrive in full within the server\'s time limit; nothing was done.' },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    code: 'REQUEST.HEADERS_TOO_LARGE',
    detail: 'The request line and headers exceed the server\'s limit (16 KiB in all); nothing was done.',
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, reason: 'Payload Too Large', code: 'REQUEST.TOO_LARGE', detail: 'The chunk extensions of the request body exceed the server\'s limit; nothing was done.' },
};
const UNREADABLE_REQUEST: UnreadableRequestAnswer = {
  status: 400,
  reason: 'Bad Request',
  code: 'REQUEST.MALFORMED',
  detail: 'The request could not be read as HTTP/1.1 (its request line, a header or the body framing is malformed); nothing was done.',
};

/** The answer to a connection Node gave up reading (`clientError`), by the error's code. */
export const unreadableRequestAnswer = (errorCode: string | undefined): UnreadableRequestAnswer => UNREADABLE_REQUESTS[errorCode ?? ''] ?? UNREADABLE_REQUEST;

/** helmet's headers as it sets them on a response, for an answer written on the socket without one. */
const SECURITY_HEADER_LINES = ((): string => {
  const headers = new Map<string, string>();
  const response = {
    setHeader: (name: string, value: unknown) => headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
  };
  securityHeaders({ headers: {} } as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return [...headers].map(([name, value]) => `${name}: ${value}\r\n`).join('');
})();

/**
 * The whole HTTP/1.1 response to a request Node could not read: no route, hook or filter runs for it, so
 * it is written on the socket as bytes — still an RFC 9457 problem with the edge's headers, then the
 * connection is closed. No `instance`: there is no request target that was read.
 */
export const unreadableRequestResponse = ({ status, reason, code, detail }: UnreadableRequestAnswer): string => {
  const { instance: _none, ...problem } = buildProblem(code, status, detail, '');
  const body = JSON.stringify(problem);
  return (
    `HTTP/1.1 ${status} ${reason}\r\n` +
    `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `${SECURITY_HEADER_LINES}Cache-Control: ${NO_STORE}\r\nConnection: close\r\n\r\n${body}`
  );
};

/**
 * Headers a request carries at most once that decide who acts or how the body is read. Node keeps the
 * first of two and drops the other without a word, where a proxy in front may have read the last: two
 * `Authorization` headers would act as one user after another was checked or logged.
 * (`Content-Length` twice is refused by Node's parser; `If-Match` and `Idempotency-Key` are joined into
 * one value, which their own rules refuse.)
 */
const ONCE_ONLY_HEADERS = new Set(['authorization', 'proxy-authorization', 'content-type', 'host']);

/** The first header of `ONCE_ONLY_HEADERS` that the request names twice (lower case), or null. */
export const repeatedOnceOnlyHeader = (rawHeaders: readonly string[]): string | null => {
  const seen = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (!ONCE_ONLY_HEADERS.has(name)) continue;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return null;
};

/**
 * The viewer's cookies, each of which says whose session (or sign-in form) a request belongs to. A browser sends a
 * name twice when another host of the site, or another path, has set its own copy (cookie tossing), and Node joins
 * two `Cookie` headers into one: the cookie parser keeps the first, so a planted session would be read in place of
 * the user's own. Refused instead, before any session is read.
 */
const ONCE_ONLY_COOKIES = new Set([SESSION_COOKIE, PRE_SESSION_COOKIE]);

/** The first of `ONCE_ONLY_COOKIES` that the request's `Cookie` header(s) name more than once, or null. */
export const repeatedOnceOnlyCookie = (cookie: string | undefined): string | null => {
  if (cookie === undefined) return null;
  const seen = new Set<string>();
  for (const pair of cookie.split(';')) {
    const name = pair.slice(0, pair.includes('=') ? pair.indexOf('=') : pair.length).trim();
    if (!ONCE_ONLY_COOKIES.has(name)) continue;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return null;
};

export const applyHttpHardening = (app: NestFastifyApplication): void => {
  (app.getHttpAdapter().getInstance() as FastifyInstance).addHook('onRequest', (request, reply, done) => {
    applyEdgeHeaders(request, reply);
    const repeated = repeatedOnceOnlyHeader(request.raw.rawHeaders);
    const cookie = repeated === null ? repeatedOnceOnlyCookie(request.headers.cookie) : null;
    if (cookie !== null) {
      return done(
        new ApiProblemException('REQUEST.DUPLICATE_COOKIE', HttpStatus.BAD_REQUEST, `The request names the ${cookie} cookie more than once; sign in again or clear this site's cookies.`, { cookie }),
      );
    }
    if (repeated === null) {
      // A conditional header a command does not take is refused before authentication: nothing is recorded for it.
      const precondition = refusedPrecondition(request.method, request.routeOptions.url, request.headers);
      if (precondition !== null) return done(precondition);
      // A HEAD of an export is refused as the router refuses a method, before authentication and the route's
      // roles: a role that may not export would otherwise have a refusal recorded of an export that could not be served.
      if (refusesHead(request)) {
        try {
          refuseHeadOfExport(reply);
        } catch (error) {
          return done(error as Error);
        }
      }
      return done();
    }
    done(
      new ApiProblemException('REQUEST.DUPLICATE_HEADER', HttpStatus.BAD_REQUEST, `The request carries the ${repeated} header more than once; send it once.`, {
        header: repeated,
      }),
    );
  });
};
