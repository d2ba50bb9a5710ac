import { Catch, HttpException, HttpStatus, Inject, Logger, NotFoundException, Optional, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { allowedMethodsAt } from '../../edge/allowed-methods';
import { isHealthProbeAnswer, loggedUrl } from '../../edge/structured-logging';
import type { HttpRequest, HttpResponse } from '../http/http.types';
import { isAnswered } from '../http/replies';
import { UNROUTED_PAGES, type UnroutedPages } from '../http/unrouted-pages';
import { loggedError, withoutSecrets } from '@trial-ledger/config';
import { DomainError, type DomainErrorKind } from '@trial-ledger/domain';
import { ConcurrencyError, IdempotencyKeyReusedError, StoreUnavailableError } from '@trial-ledger/event-store';
import { RecordedButUnansweredError, StaleVersionError } from '@trial-ledger/command-pipeline';
import { recordedAnswer } from '../commands/recorded-answer';
import { ApiProblemException } from './api-problem.exception';
import { buildProblem, PROBLEM_CONTENT_TYPE, type ProblemDetails } from './problem-details';

/**
 * Status of a domain refusal. Validation is 400 everywhere in this API (DTO checks and domain
 * checks alike), so a client needs one rule: 400 = fix the request, 409 = the ledger's state refuses it.
 */
export const STATUS_BY_KIND: { readonly [K in DomainErrorKind]: number } = {
  validation: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  'not-found': HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
};

/** Codes for refusals raised by Nest itself (unknown route, a guard's `ForbiddenException`, …). */
const CODE_BY_HTTP_STATUS: Readonly<Record<number, string>> = {
  400: 'REQUEST.BAD_REQUEST',
  401: 'AUTH.UNAUTHENTICATED',
  403: 'AUTH.FORBIDDEN',
  404: 'ROUTE.NOT_FOUND',
  405: 'ROUTE.METHOD_NOT_ALLOWED',
  413: 'REQUEST.TOO_LARGE',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  429: 'REQUEST.RATE_LIMITED',
};

/** Seconds a client should wait before retrying when the store is unreachable. */
export const RETRY_AFTER_SECONDS = 5;

/** Fixed wording per store fault: the adapters' messages name files and servers, which a public 503 must not. */
const STORE_FAULT_DETAIL: Readonly<Record<string, string>> = {
  'STORE.UNAVAILABLE': 'The event store is unreachable; nothing was written.',
  'STORE.DISK_FULL': "The event store's disk is full; nothing was written.",
  'STORE.READ_ONLY': 'The event store is read-only at the moment; nothing was written.',
  'STORE.IO_ERROR': 'The event store reported an I/O error; nothing was written.',
  'STORE.LOCKED': 'Another session or process has held a write lock of the ledger (its event store or its sessions file) for too long; the request was not carried out (a login stays recorded as verified): retry.',
  'STORE.FILE_REPLACED': 'The ledger file was replaced under the running server; writes are refused until an operator restarts it. Nothing was written.',
};

interface Rendered {
  readonly problem: ProblemDetails;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The one place where every error becomes an RFC 9457 problem (STYLE.md). Nothing else in the API
 * writes an error body, so every refusal has a `type`, `title`, `status`, `detail`, `code` and
 * `instance`, plus the extension members of its kind (`errors`, `failedCriteria`, …).
 */
@Catch()
export class ProblemDetailsExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  constructor(@Optional() @Inject(UNROUTED_PAGES) private readonly pages: UnroutedPages | null = null) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const response = http.getResponse<HttpResponse>();
    // No route matched an address under the viewer (nor is the path served under another method): its own 404 page.
    if (exception instanceof NotFoundException && this.pages?.owns(request) && !isAnswered(response) && allowedMethodsAt(request).length === 0) {
      this.pages.notFound(host);
      return;
    }
    if (exception instanceof RecordedButUnansweredError) {
      // The ledger recorded the command: answer with what was written, never with an error that
      // would make the client believe nothing was (and retry it without an idempotency key).
      this.logger.error(
        { code: 'COMMAND.RECORDED_ANSWER_FAILED', error: loggedError(exception.failure) },
        `${request.method} ${loggedUrl(request.originalUrl)}: ${withoutSecrets(describe(exception))} COMMAND.RECORDED_ANSWER_FAILED`,
      );
      if (isAnswered(response)) return;
      const answer = recordedAnswer(exception.outcome);
      response.status(answer.status).type('application/json').send(JSON.stringify(answer.body));
      return;
    }
    const { problem, headers } = this.render(exception, request);
    // The client sees no internals; the operator's log gets them, with the request's correlation id. An unreachable
    // store is an operational warning: a stable code to alert on, the error's type and words without a password.
    // An unexpected error (500) also has its stack, passwords replaced too: without it nobody can tell where it arose.
    // A failed health probe is said once per change of state by the health controller, not once per probe.
    if (problem.status >= 500 && !isHealthProbeAnswer(request.method, request.originalUrl ?? request.url, problem.status, problem.code)) {
      const line = serverErrorLine(problem.code, problem.status, exception, request);
      const message = `${request.method} ${loggedUrl(request.originalUrl)}: ${withoutSecrets(describe(exception))} ${problem.code}`;
      if (problem.status === HttpStatus.SERVICE_UNAVAILABLE) this.logger.warn(line, message);
      else this.logger.error(line, message);
    }
    if (isAnswered(response)) return;
    for (const [name, value] of Object.entries(headers ?? {})) response.header(name, value);
    if (problem.status === HttpStatus.UNAUTHORIZED) response.header('WWW-Authenticate', wwwAuthenticate(request));
    response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify({ ...problem, instance: request.originalUrl ?? request.url }));
  }

  private render(exception: unknown, request: HttpRequest): Rendered {
    const problem = (code: string, status: number, detail: string, extensions?: Record<string, unknown>) =>
      buildProblem(code, status, detail, '', extensions);
    if (exception instanceof ApiProblemException) {
      // Every 503 says when to come back (RFC 9110 §10.2.3): the problem's own figure, else the store's.
      const retryAfter = exception.status === HttpStatus.SERVICE_UNAVAILABLE ? retryAfterOf(exception.extensions) : undefined;
      return { problem: problem(exception.code, exception.status, exception.message, exception.extensions), ...(retryAfter ? { headers: { 'Retry-After': retryAfter } } : {}) };
    }
    if (exception instanceof DomainError) {
      return { problem: problem(exception.code, STATUS_BY_KIND[exception.kind], exception.message, exception.details) };
    }
    if (exception instanceof ConcurrencyError) {
      // A pinned version (If-Match) of the command's own stream that no longer holds is a failed
      // precondition; a command that kept losing the race after every retry (pinned or not: another
      // stream it reads kept moving) is a plain conflict the client may retry.
      const pinned = exception instanceof StaleVersionError;
      const extensions = { streamId: exception.streamId, expectedVersion: exception.expectedVersion, actualVersion: exception.actualVersion };
      return pinned
        ? { problem: problem(exception.code, HttpStatus.PRECONDITION_FAILED, exception.message, extensions), headers: { ETag: `"${exception.actualVersion}"` } }
        : { problem: problem(exception.code, HttpStatus.CONFLICT, `${exception.message}; retries exhausted, try again`, { ...extensions, retryable: true }) };
    }
    if (exception instanceof IdempotencyKeyReusedError) {
      return { problem: problem(exception.code, HttpStatus.UNPROCESSABLE_ENTITY, exception.message, { idempotencyKey: exception.idempotencyKey }) };
    }
    if (exception instanceof StoreUnavailableError) {
      return {
        problem: problem(exception.code, HttpStatus.SERVICE_UNAVAILABLE, STORE_FAULT_DETAIL[exception.code] ?? STORE_FAULT_DETAIL['STORE.UNAVAILABLE']),
        headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      };
    }
    if (exception instanceof NotFoundException) {
      // The router found no route for this method; if the path is served under others, say which.
      const allowed = allowedMethodsAt(request);
      if (allowed.length > 0) {
        const detail = `${request.method} is not served at this path; use ${allowed.join(' or ')}`;
        return { problem: problem('ROUTE.METHOD_NOT_ALLOWED', HttpStatus.METHOD_NOT_ALLOWED, detail, { allowedMethods: allowed }), headers: { Allow: allowed.join(', ') } };
      }
    }
    if (exception instanceof HttpException) return { problem: fromHttpException(exception) };
    const coded = codedError(exception);
    if (coded) return { problem: problem(coded.code, coded.status, coded.message, coded.details) };
    return { problem: problem('INTERNAL.ERROR', HttpStatus.INTERNAL_SERVER_ERROR, 'An unexpected error occurred; nothing was written.') };
  }
}

/**
 * The fields of the server's own line for a 5xx (API and viewer alike): the stable code, the request's correlation
 * id, the error's type and words without a password — and, for an unexpected error (not an operational 503), its
 * stack, passwords replaced too: the client never sees it, and without it nobody can tell where the error arose.
 */
export const serverErrorLine = (code: string, status: number, exception: unknown, request: HttpRequest): Record<string, unknown> => {
  const stack = status !== HttpStatus.SERVICE_UNAVAILABLE && exception instanceof Error && exception.stack ? { stack: withoutSecrets(exception.stack) } : {};
  return { code, req: { id: request.id }, error: { ...loggedError(exception), ...stack } };
};

/** `retryAfterSeconds` of a 503 problem as a `Retry-After` value; `RETRY_AFTER_SECONDS` when it names none. */
const retryAfterOf = (extensions: Record<string, unknown> | undefined): string => {
  const seconds = extensions?.retryAfterSeconds;
  return String(typeof seconds === 'number' && Number.isSafeInteger(seconds) && seconds > 0 ? seconds : RETRY_AFTER_SECONDS);
};

/** Nest's own exceptions; a guard may pass `{ code, detail }` as the response body to name its refusal. */
const fromHttpException = (exception: HttpException): ProblemDetails => {
  const status = exception.getStatus();
  const body = exception.getResponse();
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code = typeof fields.code === 'string' ? fields.code : (CODE_BY_HTTP_STATUS[status] ?? `HTTP.${status}`);
  const detail = typeof fields.detail === 'string' ? fields.detail : exception.message;
  const { code: _code, detail: _detail, message: _message, statusCode: _statusCode, error: _error, ...extensions } = fields;
  return buildProblem(code, status, detail, '', extensions);
};

/** Errors from other libraries of ours that carry a stable `code` and an HTTP `status` (e.g. identity). */
const codedError = (exception: unknown): { code: string; status: number; message: string; details?: Record<string, unknown> } | null => {
  if (!(exception instanceof Error)) return null;
  const candidate = exception as Error & { code?: unknown; status?: unknown; details?: unknown };
  if (typeof candidate.code !== 'string' || !/^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$/.test(candidate.code)) return null;
  const status = typeof candidate.status === 'number' && candidate.status >= 400 && candidate.status < 600 ? candidate.status : 500;
  const details = typeof candidate.details === 'object' && candidate.details !== null ? (candidate.details as Record<string, unknown>) : undefined;
  return { code: candidate.code, status, message: exception.message, details };
};

/**
 * RFC 9110 §11.6.1: a 401 names the scheme it wants; RFC 6750 §3.1: `invalid_token` when a bearer
 * token was sent and refused (expired, revoked, unknown), nothing more when none was sent.
 */
const wwwAuthenticate = (request: HttpRequest): string =>
  /^Bearer\s+\S/i.test(String(request.headers.authorization ?? '').trim()) ? 'Bearer realm="trial-ledger", error="invalid_token"' : 'Bearer realm="trial-ledger"';

const describe = (exception: unknown): string => (exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception));
