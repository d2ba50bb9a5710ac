import { ForbiddenException, Logger, NotFoundException, type ArgumentsHost } from '@nestjs/common';
import { StaleVersionError } from '@trial-ledger/command-pipeline';
import { DomainError } from '@trial-ledger/domain';
import { ConcurrencyError, IdempotencyKeyReusedError, StoreUnavailableError } from '@trial-ledger/event-store';
import { ApiProblemException } from './api-problem.exception';
import { ProblemDetailsExceptionFilter } from './problem-details.exception-filter';
import { problemTitleFor, problemTypeFor } from './problem-details';

/** Renders an exception through the filter for a request with the given headers; returns status, headers and body. */
const render = (exception: unknown, headers: Record<string, string> = {}, originalUrl = '/api/v1/studies/X/subjects/S1/doses') => {
  const sent: { status?: number; type?: string; body?: Record<string, unknown>; headers: Record<string, string> } = { headers: {} };
  // The slice of a Fastify reply the filter uses.
  const response = {
    sent: false,
    raw: { headersSent: false },
    header(name: string, value: string) {
      sent.headers[name] = value;
      return this;
    },
    status(code: number) {
      sent.status = code;
      return this;
    },
    type(contentType: string) {
      sent.type = contentType;
      return this;
    },
    send(body: string) {
      sent.body = JSON.parse(body) as Record<string, unknown>;
      return this;
    },
  };
  const request = { id: 'req-1', method: 'POST', originalUrl, url: '/x', headers };
  const host = { switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }) } as unknown as ArgumentsHost;
  new ProblemDetailsExceptionFilter().catch(exception, host);
  return sent;
};

describe('ProblemDetailsExceptionFilter: every error is one RFC 9457 problem', () => {
  let logged: { error: jest.SpyInstance; warn: jest.SpyInstance };
  beforeEach(() => {
    logged = { error: jest.spyOn(Logger.prototype, 'error').mockImplementation(), warn: jest.spyOn(Logger.prototype, 'warn').mockImplementation() };
  });
  afterEach(() => jest.restoreAllMocks());

  it('a domain refusal keeps its code, gets its status from its kind, and carries its details as extension members', () => {
    const sent = render(new DomainError('SUBJECT.NOT_ENROLLED', 'Subject S1 is not enrolled', 'conflict', { subjectId: 'S1', status: 'ignored', failedCriteria: ['x'] }));
    expect(sent.status).toBe(409);
    expect(sent.type).toBe('application/problem+json');
    expect(sent.body).toEqual({
      type: 'https://trial-ledger.dev/problems/subject-not-enrolled',
      title: 'Subject not enrolled',
      status: 409,
      detail: 'Subject S1 is not enrolled',
      code: 'SUBJECT.NOT_ENROLLED',
      instance: '/api/v1/studies/X/subjects/S1/doses',
      subjectId: 'S1',
      failedCriteria: ['x'],
    });
  });

  it.each([
    ['validation', 400],
    ['not-found', 404],
    ['forbidden', 403],
    ['unauthenticated', 401],
    ['conflict', 409],
  ] as const)('kind %s → %d', (kind, status) => {
    expect(render(new DomainError('A.B', 'm', kind)).status).toBe(status);
  });

  it('a stale pinned version of the command\'s own stream is 412 with the current ETag; a conflict whose retries ran out is 409 (retryable), pinned or not', () => {
    const stale = render(new StaleVersionError('subject-X-S1', 3, 4), { 'if-match': '"3"' });
    expect([stale.status, stale.body?.code, stale.headers.ETag]).toEqual([412, 'CONCURRENCY.VERSION_CONFLICT', '"4"']);
    const conflict = new ConcurrencyError('study-X', 7, 8);
    for (const headers of [{}, { 'if-match': '"3"' }] as Record<string, string>[]) {
      const exhausted = render(conflict, headers);
      expect([exhausted.status, exhausted.body?.code, exhausted.body?.retryable, exhausted.headers.ETag]).toEqual([409, 'CONCURRENCY.VERSION_CONFLICT', true, undefined]);
    }
  });

  it('store errors: key reuse 422, unavailable 503 with Retry-After', () => {
    expect(render(new IdempotencyKeyReusedError('k')).status).toBe(422);
    const unavailable = render(new StoreUnavailableError('down'));
    expect([unavailable.status, unavailable.body?.code, unavailable.headers['Retry-After']]).toEqual([503, 'STORE.UNAVAILABLE', '5']);
    expect(logged.warn).toHaveBeenCalledWith({ code: 'STORE.UNAVAILABLE', req: { id: 'req-1' }, error: { type: 'StoreUnavailableError', message: 'down' } }, expect.stringContaining('StoreUnavailableError: down'));
  });

  it('every 503 says when to retry: Retry-After from the problem\'s retryAfterSeconds, else the store\'s 5 s (read models behind, not ready, tampered)', () => {
    const lagging = render(new ApiProblemException('READ_MODEL.NOT_CAUGHT_UP', 503, 'behind', { position: 3, retryAfterSeconds: 1 }));
    expect([lagging.status, lagging.body?.code, lagging.headers['Retry-After']]).toEqual([503, 'READ_MODEL.NOT_CAUGHT_UP', '1']);
    for (const code of ['HEALTH.NOT_READY', 'STORE.UNAVAILABLE', 'LEDGER.TAMPERED']) expect(render(new ApiProblemException(code, 503, 'down')).headers['Retry-After']).toBe('5');
    expect(render(new ApiProblemException('REQUEST.TOO_LARGE', 413, 'big')).headers['Retry-After']).toBeUndefined();
  });

  it('the log line of a 503 or 500 keeps no credential a client put in the query string, as the access line keeps none', () => {
    render(new StoreUnavailableError('down'), {}, '/api/v1/studies/X/subjects/S1/doses?access_token=SECRET-TOKEN&x=1');
    render(new TypeError('boom'), {}, '/api/v1/studies/X?%70assword=SECRET-PASSWORD');
    const lines = [...logged.warn.mock.calls, ...logged.error.mock.calls].map((call) => String(call[1]));
    expect(lines).toEqual([
      'POST /api/v1/studies/X/subjects/S1/doses?access_token=[redacted]&x=1: StoreUnavailableError: down STORE.UNAVAILABLE',
      expect.stringMatching(/^POST \/api\/v1\/studies\/X\?%70assword=\[redacted\]: /),
    ]);
    expect(lines.join('\n')).not.toContain('SECRET');
  });

  it("Nest's own exceptions get codes by status; an edge problem keeps its own", () => {
    expect(render(new NotFoundException()).body?.code).toBe('ROUTE.NOT_FOUND');
    expect(render(new ForbiddenException({ code: 'AUTH.CUSTOM', detail: 'no' })).body).toMatchObject({ status: 403, code: 'AUTH.CUSTOM', detail: 'no' });
    expect(render(new ApiProblemException('REQUEST.TOO_LARGE', 413, 'big', { limit: '1kb' })).body).toMatchObject({ status: 413, code: 'REQUEST.TOO_LARGE', limit: '1kb' });
  });

  it('an unexpected error is a 500 that does not leak its message', () => {
    const sent = render(new TypeError('cannot read properties of undefined (secret internals)'));
    expect(sent.status).toBe(500);
    expect(sent.body).toMatchObject({ code: 'INTERNAL.ERROR' });
    expect(JSON.stringify(sent.body)).not.toContain('secret');
    // The operator's log keeps the words (without passwords), not the stack.
    expect(logged.error).toHaveBeenCalledWith({ code: 'INTERNAL.ERROR', req: { id: 'req-1' }, error: { type: 'TypeError', message: expect.stringContaining('secret internals'), stack: expect.stringMatching(/^TypeError: .*\n\s+at /) } }, expect.stringContaining('secret internals'));
  });

  it('types and titles are derived from codes, so one code has one type URI and one title', () => {
    expect(problemTypeFor('ENROLLMENT.CAP_REACHED')).toBe('https://trial-ledger.dev/problems/enrollment-cap-reached');
    expect(problemTitleFor('ENROLLMENT.CAP_REACHED')).toBe('Enrollment cap reached');
  });
});
