import { applyDecorators, RequestMethod, RequestMapping, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation } from '@nestjs/swagger';
import { BearerAuthGuard } from '../../identity/bearer-auth.guard';
import { IDEMPOTENCY_KEY_HEADER_DOC } from '../http/idempotency-key';
import { DeclaredQueryGuard } from '../validation/declared-query.guard';
import { ApiProblemResponses, BODY_PROBLEMS, COMMAND_BAD_REQUEST, NOT_ACCEPTABLE_PROBLEM, SESSION_PROBLEMS, STORE_PROBLEM, type ProblemResponse } from './problem-responses';
import { ROUTE_RULE_METADATA, type RouteMethod, type RouteRule } from './route-rule';

const METHODS: Readonly<Record<RouteMethod, RequestMethod>> = { GET: RequestMethod.GET, POST: RequestMethod.POST };

/** Applies a `RouteRule` to a controller method: the route, the bearer-token + role guard, then the declared-query guard, and the OpenAPI operation. */
export const LedgerRoute = (rule: RouteRule): MethodDecorator =>
  applyDecorators(
    RequestMapping({ path: rule.path, method: METHODS[rule.method] }),
    SetMetadata(ROUTE_RULE_METADATA, rule),
    UseGuards(BearerAuthGuard, DeclaredQueryGuard),
    ApiBearerAuth(),
    ApiOperation({ operationId: rule.operation, summary: rule.summary, description: `Roles: ${rule.roles.join(', ')}.` }),
    ...(rule.method === 'POST' ? COMMAND_HEADERS.map((header) => ApiHeader(header)) : []),
    ApiProblemResponses(PROBLEM_RESPONSES[rule.method]),
  );

const COMMAND_HEADERS = [
  { name: 'If-Match', required: false, description: 'The stream version you saw, as returned in ETag (e.g. "4"). A stale version is refused with 412 and nothing is written; so is * on a route that creates its record (a subject screened, a study registered, a query opened) while that record does not exist.' },
  { name: 'If-None-Match', required: false, description: 'Only * ("create only if absent"), on a route that creates its record (a subject screened, a study registered, a query opened): refused with 412 when that record exists, and nothing is written. Any other value, on any command, is 400 REQUEST.UNSUPPORTED_PRECONDITION; so is If-Unmodified-Since.' },
  IDEMPOTENCY_KEY_HEADER_DOC,
  { name: 'X-Correlation-Id', required: false, description: 'Ties several commands to one workflow in the audit trail.' },
];

const QUERY_PROBLEMS: readonly ProblemResponse[] = [
  [400, 'VALIDATION.FAILED (with `errors`): an undeclared or malformed query parameter, or a malformed path parameter'],
  ...SESSION_PROBLEMS,
  [404, 'Unknown study, subject or entry'],
  NOT_ACCEPTABLE_PROBLEM,
  STORE_PROBLEM,
];

/** The problems each kind of route may answer, for the OpenAPI document. */
const PROBLEM_RESPONSES: Readonly<Record<RouteMethod, readonly ProblemResponse[]>> = {
  GET: QUERY_PROBLEMS,
  POST: [
    COMMAND_BAD_REQUEST,
    ...BODY_PROBLEMS.filter(([status]) => status !== 400),
    ...SESSION_PROBLEMS,
    [404, 'Unknown study, subject or entry'],
    [409, 'A rule refused the command (e.g. SUBJECT.NOT_ENROLLED, ENROLLMENT.CAP_REACHED), or CONCURRENCY.VERSION_CONFLICT after retries'],
    NOT_ACCEPTABLE_PROBLEM,
    [412, 'CONCURRENCY.VERSION_CONFLICT: the If-Match version is stale, or If-None-Match: * and the record exists'],
    [422, 'IDEMPOTENCY.KEY_REUSED: the Idempotency-Key was used with another request'],
    STORE_PROBLEM,
  ],
};
