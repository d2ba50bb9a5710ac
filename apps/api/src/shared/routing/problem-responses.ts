import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDetailsSchema } from '../problem-details/problem-details.schema';

/** An HTTP status a route may refuse with, and the stable codes it answers then (for the OpenAPI document). */
export type ProblemResponse = readonly [status: number, description: string];

const STORE_PROBLEMS = 'STORE.UNAVAILABLE, STORE.DISK_FULL, STORE.READ_ONLY, STORE.IO_ERROR, STORE.FILE_REPLACED or STORE.LOCKED: nothing was written; retry later (Retry-After)';

/** The problems of every route that reads a JSON body, whoever calls it. */
export const BODY_PROBLEMS: readonly ProblemResponse[] = [
  [400, 'VALIDATION.FAILED (with `errors`), REQUEST.MALFORMED_JSON, REQUEST.TOO_DEEP, REQUEST.FORBIDDEN_KEY, REQUEST.DUPLICATE_KEY, REQUEST.DUPLICATE_HEADER (Authorization, Content-Type or Host sent twice), or a domain validation code'],
  [413, 'REQUEST.TOO_LARGE'],
  [415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE (bodies are application/json), REQUEST.UNSUPPORTED_CHARSET or REQUEST.UNSUPPORTED_ENCODING'],
];

/** The 400 of a command: its body's and its headers' (If-Match, Idempotency-Key) codes. */
export const COMMAND_BAD_REQUEST: ProblemResponse = [
  400,
  'VALIDATION.FAILED (with `errors`), REQUEST.MALFORMED_JSON, REQUEST.TOO_DEEP, REQUEST.FORBIDDEN_KEY, REQUEST.DUPLICATE_KEY, REQUEST.DUPLICATE_HEADER, ' +
    'REQUEST.INVALID_IF_MATCH (not one strong tag "n" or *), REQUEST.UNSUPPORTED_PRECONDITION (If-Unmodified-Since, or If-None-Match other than * on a create route), REQUEST.INVALID_IDEMPOTENCY_KEY, IDEMPOTENCY.KEY_MISMATCH (header and body keys differ), or a domain validation code',
];

/** The problems of every route that takes a session token (401) and checks its role (403). */
export const SESSION_PROBLEMS: readonly ProblemResponse[] = [
  [401, 'AUTH.UNAUTHENTICATED, AUTH.TOKEN_INVALID or AUTH.SESSION_EXPIRED: no, an unknown or an expired bearer token (WWW-Authenticate: Bearer)'],
  [403, 'AUTH.ROLE_NOT_ALLOWED: the role may not do this (recorded as AuthorizationRefused)'],
];

export const STORE_PROBLEM: ProblemResponse = [503, STORE_PROBLEMS];

/** `406 REQUEST.NOT_ACCEPTABLE` of every `/api/v1` route (`AcceptableMediaGuard`). */
export const NOT_ACCEPTABLE_PROBLEM: ProblemResponse = [406, 'REQUEST.NOT_ACCEPTABLE: Accept admits neither the types this route answers nor application/problem+json (`acceptable` lists them); nothing was done'];

/** `429 REQUEST.RATE_LIMITED` of the routes that check a password (`Retry-After`; counted, never recorded). */
export const RATE_LIMIT_PROBLEM: ProblemResponse = [429, 'REQUEST.RATE_LIMITED: too many password attempts from this address or for this username; retry after Retry-After seconds'];

/** Documents each status as an `application/problem+json` response (RFC 9457) with the codes it carries. */
export const ApiProblemResponses = (problems: readonly ProblemResponse[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ApiExtraModels(ProblemDetailsSchema),
    ...problems.map(([status, description]) =>
      ApiResponse({ status, description, content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsSchema) } } } }),
    ),
  );
