import { applyDecorators, RequestMethod, RequestMapping, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiHeader, ApiOperation, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDetailsSchema } from '../problem-details/problem-details.schema';
import { BearerAuthGuard } from '../../identity/bearer-auth.guard';
import { DeclaredQueryGuard } from '../validation/declared-query.guard';
import { ROUTE_RULE_METADATA, type RouteMethod, type RouteRule } from './route-rule';

const METHODS: Readonly<Record<RouteMethod, RequestMethod>> = { GET: RequestMethod.GET, POST: RequestMethod.POST };

/** Applies a `RouteRule` to a controller method: the route, the bearer-token + role guard, then the declared-query guard, and the OpenAPI operation. */
export const LedgerRoute = (rule: RouteRule): MethodDecorator =>
  applyDecorators(
    RequestMapping({ path: rule.path, method: METHODS[rule.method] }),
    SetMetadata(ROUTE_RULE_METADATA, rule),
    UseGuards(BearerAuthGuard, DeclaredQueryGuard),
    ApiBearerAuth(),
    ApiExtraModels(ProblemDetailsSchema),
    ApiOperation({ operationId: rule.operation, summary: rule.summary, description: `Roles: ${rule.roles.join(', ')}.` }),
    ...(rule.method === 'POST' ? COMMAND_HEADERS.map((header) => ApiHeader(header)) : []),
    ...PROBLEM_RESPONSES[rule.method].map(([status, description]) =>
      ApiResponse({ status, description, content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsSchema) } } } }),
    ),
  );

const COMMAND_HEADERS = [
  { name: 'If-Match', required: false, description: 'The stream version you saw, as returned in ETag (e.g. "4"). A stale version is refused with 412 and nothing is written.' },
  { name: 'Idempotency-Key', required: false, description: 'Makes a retry safe: the same key from the same user answers that user\'s first outcome (Idempotent-Replayed: true); with another body it is refused (422). Keys are per user.' },
  { name: 'X-Correlation-Id', required: false, description: 'Ties several commands to one workflow in the audit trail.' },
];

const COMMON_PROBLEMS: readonly (readonly [number, string])[] = [
  [400, 'VALIDATION.FAILED (with `errors`), REQUEST.MALFORMED_JSON, REQUEST.TOO_DEEP, REQUEST.FORBIDDEN_KEY, REQUEST.DUPLICATE_KEY, or a domain validation code'],
  [401, 'AUTH.UNAUTHENTICATED: no or invalid bearer token'],
  [403, 'AUTH.ROLE_NOT_ALLOWED: the role may not do this'],
  [404, 'Unknown study, subject or entry'],
  [503, 'STORE.UNAVAILABLE, STORE.DISK_FULL, STORE.READ_ONLY, STORE.IO_ERROR, STORE.FILE_REPLACED or STORE.LOCKED: nothing was written; retry later (Retry-After)'],
];

/** The problems each kind of route may answer, for the OpenAPI document. */
const PROBLEM_RESPONSES: Readonly<Record<RouteMethod, readonly (readonly [number, string])[]>> = {
  GET: COMMON_PROBLEMS,
  POST: [
    ...COMMON_PROBLEMS,
    [409, 'A rule refused the command (e.g. SUBJECT.NOT_ENROLLED, ENROLLMENT.CAP_REACHED), or CONCURRENCY.VERSION_CONFLICT after retries'],
    [412, 'CONCURRENCY.VERSION_CONFLICT: the If-Match version is stale'],
    [413, 'REQUEST.TOO_LARGE'],
    [422, 'IDEMPOTENCY.KEY_REUSED: the Idempotency-Key was used with another request'],
  ],
};
