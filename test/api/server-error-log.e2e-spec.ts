import request from 'supertest';
import { StoreUnavailableError, type EventStore } from '@trial-ledger/event-store';
import { enrolledSubject, STUDY, startApiTestApp, type ApiTestApp } from './support/api-test-app';

interface LogLine {
  level: number;
  msg: string;
  code?: string;
  req?: { id: string };
}

const SECRET = 's3cret-Pa55';

/** The store as it is, except that every call throws `fault.error` while it is set. */
const failingCalls = (fault: { error: Error | null }) => (store: EventStore): EventStore =>
  new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || property === 'close') return value;
      return (...args: unknown[]) => {
        if (fault.error) throw fault.error;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });

/**
 * What an operator's log holds for a request that failed on the server's side (a 5xx): every line about it
 * a warning or an error with a stable `code` and no password — a log is read by more people than the ledger,
 * and an alert is keyed on the code, not on words — and for an unexpected error (500) the stack, as a field of
 * the server's own line with the request's correlation id, which the client never sees.
 */
describe('API log lines of a 5xx', () => {
  let api: ApiTestApp;
  const written: string[] = [];
  const fault: { error: Error | null } = { error: null };
  const linesOf = (id: string): LogLine[] =>
    written.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine & { req?: { id: string } }).filter((line) => line.req?.id === id || line.msg.includes(id));
  const rawLinesAbout = (path: string, from: number): string[] => written.slice(from).join('').split('\n').filter((line) => line.includes(path));

  beforeAll(async () => {
    api = await startApiTestApp({ wrapStore: failingCalls(fault), logDestination: { write: (chunk: string) => void written.push(chunk) } });
    await enrolledSubject(api, 'S001');
  });
  afterEach(() => (fault.error = null));
  afterAll(async () => api.close());

  it("an unexpected error (500): the client gets no stack; the server's own line has it, without a password, as a field, with the correlation id", async () => {
    const from = written.length;
    fault.error = new Error(`connect failed for postgres://ledger:${SECRET}@db:5432/ledger?sslpassword=${SECRET}`);
    const id = 'five-hundred-with-stack';
    const response = await request(api.http).get(`/api/v1/studies/${STUDY}/subjects/S001/events`).set('Authorization', api.auth('investigator')).set('X-Correlation-Id', id).expect(500);
    expect(response.body).toMatchObject({ code: 'INTERNAL.ERROR', detail: 'An unexpected error occurred; nothing was written.' });
    expect(response.text).not.toMatch(/\bat \S+ \(|stack|connect failed/);
    await new Promise((r) => setTimeout(r, 50));
    const lines = written.slice(from).join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine & { context?: string; error?: { stack?: string } });
    const own = lines.filter((line) => line.context === 'ProblemDetails');
    expect(own).toEqual([expect.objectContaining({ level: 50, code: 'INTERNAL.ERROR', req: { id }, error: expect.objectContaining({ type: 'Error', stack: expect.stringMatching(/^Error: connect failed .*\n\s+at /) }) })]);
    expect(JSON.stringify(lines)).not.toContain(SECRET);
    // The access line stays short: the stack is in the server's own line only.
    expect(lines.filter((line) => line.context !== 'ProblemDetails').every((line) => line.error?.stack === undefined)).toBe(true);
  });

  it.each([
    ['an unexpected error (500)', () => new Error(`connect failed for postgres://ledger:${SECRET}@db:5432/ledger?sslpassword=${SECRET}`), 500],
    ['an unreachable store (503)', () => new StoreUnavailableError(`connection to postgres://ledger:${SECRET}@db:5432/ledger lost`), 503],
  ])('%s: each of its log lines has a code and no password', async (_name, error, status) => {
    const from = written.length;
    fault.error = error();
    const id = `five-xx-${status}`;
    await request(api.http).get(`/api/v1/studies/${STUDY}/subjects/S001/events`).set('Authorization', api.auth('investigator')).set('X-Correlation-Id', id).expect(status);
    await new Promise((r) => setTimeout(r, 50));
    const raw = rawLinesAbout('/subjects/S001/events', from).filter((line) => /"level":(40|50)/.test(line));
    expect(raw.length).toBeGreaterThanOrEqual(2); // the server's own line and the access line
    for (const line of raw) {
      const parsed = JSON.parse(line) as LogLine;
      expect([parsed.code, line]).toEqual([expect.stringMatching(/^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$/), line]);
      expect(line).not.toContain(SECRET);
      // An operational 503 (the store) carries no stack: its code and words say what happened.
      if (status === 503) expect(line).not.toMatch(/"stack"|\\n\s+at /);
    }
    expect(linesOf(id).length).toBeGreaterThanOrEqual(1);
  });

  it('the security warnings of refused requests (no token, a bad token) carry a code, and so does every other warning', async () => {
    const from = written.length;
    await request(api.http).get(`/api/v1/studies/${STUDY}/subjects/S001/events`).expect(401);
    await request(api.http).get(`/api/v1/studies/${STUDY}/subjects/S001/events`).set('Authorization', 'Bearer not-a-token').expect(401);
    await request(api.http).post('/api/v1/users').set('Authorization', api.auth('investigator')).send({}).expect(403);
    await new Promise((r) => setTimeout(r, 50));
    const warnings = written.slice(from).join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine & { context?: string }).filter((line) => line.level >= 40);
    expect(warnings.filter((line) => line.context === 'Security').map((line) => line.code)).toEqual(
      expect.arrayContaining(['AUTH.UNAUTHENTICATED', 'AUTH.TOKEN_INVALID']),
    );
    for (const line of warnings) expect([line.code, line.msg]).toEqual([expect.stringMatching(/^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$/), line.msg]);
  });
});
