import { Client } from 'pg';
import { startPostgresTestServer, type PostgresTestServer } from '../../libs/event-store/src/testing/postgres-test-server';
import { seedLedger } from './support/ledger-check';
import { LedgerClient, PASSWORD, STUDY, startServe, type ServeProcess } from './support/ledger-process';

const login = async (url: string, username: string, password: string): Promise<{ status: number; code?: string; token?: string }> => {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await response.json()) as { code?: string; token?: string };
  return { status: response.status, code: body.code, token: body.token };
};

/** The status and problem code of a read of the study with the token. */
const readStudy = async (url: string, token: string | undefined): Promise<{ status: number; code?: string }> => {
  const response = await fetch(`${url}/api/v1/studies/${STUDY}`, { headers: { Authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { code?: string };
  return { status: response.status, code: body.code };
};

const postJson = (url: string, path: string, token: string | undefined, body: object = {}): Promise<Response> =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

/** Per-username attempts per minute on the password routes, on each instance: the test spreads one more than that over both. */
const PER_USER_LIMIT = 8;

/** What docker/README.md says about several API instances on one PostgreSQL database, checked with two `serve` processes. */
describe('two API instances on one PostgreSQL database', () => {
  let pg: PostgresTestServer;
  let store: string;
  let a: ServeProcess;
  let b: ServeProcess;
  const env = { TRIAL_LEDGER_THROTTLE_PER_USER: String(PER_USER_LIMIT) };

  beforeAll(async () => {
    pg = await startPostgresTestServer();
    store = await pg.createDatabase();
    a = await startServe(store, [], env);
    await seedLedger(store, a.url);
    b = await startServe(store, [], env);
  }, 120_000);

  afterAll(async () => {
    for (const server of [a, b]) server?.kill('SIGTERM');
    await Promise.all([a?.exited, b?.exited]);
    await pg?.stop();
  });

  it('a command accepted by one instance is read on the other, and a repeat of its Idempotency-Key there gets the first answer', async () => {
    const onA = new LedgerClient(a.url);
    const onB = new LedgerClient(b.url);
    expect((await onA.screen('M001', 'key-M001')).status).toBe(201);
    const read = await onB.get(`/api/v1/studies/${STUDY}/subjects/M001`);
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body)).toContain('"M001"');
    // The same key on the other instance is a repeat (derived from the chained events), not a second screening
    expect((await onB.screen('M001', 'key-M001')).status).toBe(201);
    const events = await onB.get(`/api/v1/studies/${STUDY}/subjects/M001/events`);
    expect((events.body as { events?: unknown[] }).events?.filter((e) => JSON.stringify(e).includes('SubjectScreened'))).toHaveLength(1);
  });

  it('a token issued by one instance is accepted by the other; a logout on that other is refused on the first at once', async () => {
    const { token } = await login(a.url, 'investigator', PASSWORD);
    expect((await readStudy(a.url, token)).status).toBe(200);
    expect((await readStudy(b.url, token)).status).toBe(200);
    expect((await postJson(b.url, '/api/v1/auth/logout', token)).status).toBe(204);
    expect(await readStudy(a.url, token)).toEqual({ status: 401, code: 'AUTH.TOKEN_INVALID' });
    expect(await readStudy(b.url, token)).toEqual({ status: 401, code: 'AUTH.TOKEN_INVALID' });
    // A second logout of the same session, on either instance, records nothing more
    expect((await postJson(a.url, '/api/v1/auth/logout', token)).status).toBe(401);
  });

  it('the database keeps only SHA-256 hashes of the tokens: a copy of the sessions table gives no usable token', async () => {
    const { token } = await login(b.url, 'investigator', PASSWORD);
    const client = new Client({ connectionString: store });
    await client.connect();
    try {
      const rows = (await client.query<{ token_hash: string }>('SELECT token_hash FROM auth_sessions')).rows;
      expect(rows.length).toBeGreaterThan(0);
      expect(JSON.stringify(rows)).not.toContain(token);
      for (const row of rows) {
        expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
        expect((await readStudy(a.url, Buffer.from(row.token_hash, 'hex').toString('base64url'))).status).toBe(401);
      }
    } finally {
      await client.end();
    }
  });

  it("a deactivation on one instance ends the user's sessions on the other at once", async () => {
    const { token: adminToken } = await login(a.url, 'admin', PASSWORD);
    const { token } = await login(b.url, 'coordinator', PASSWORD);
    expect((await readStudy(b.url, token)).status).toBe(200);
    const deactivated = await postJson(a.url, '/api/v1/users/coordinator/deactivate', adminToken, { reason: 'left the site' });
    expect(deactivated.status).toBe(200);
    expect(await readStudy(b.url, token)).toEqual({ status: 401, code: 'AUTH.USER_DEACTIVATED' });
    expect((await postJson(a.url, '/api/v1/users/coordinator/reactivate', adminToken, { reason: 'back' })).status).toBe(200);
  });

  it('failed logins spread over both instances lock the account (the counter is the identity stream) and end its sessions on both', async () => {
    const { token } = await login(a.url, 'monitor', PASSWORD);
    expect((await readStudy(b.url, token)).status).toBe(200);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const outcome = await login(attempt % 2 === 0 ? a.url : b.url, 'monitor', `wrong passphrase number ${attempt}`);
      expect(outcome.status).toBe(401);
    }
    // Locked on both: the right password is refused too, with the same answer as a wrong one (no account enumeration)
    expect(await login(a.url, 'monitor', PASSWORD)).toMatchObject({ status: 401, code: 'AUTH.INVALID_CREDENTIALS' });
    expect(await login(b.url, 'monitor', PASSWORD)).toMatchObject({ status: 401, code: 'AUTH.INVALID_CREDENTIALS' });
    expect(await readStudy(a.url, token)).toEqual({ status: 401, code: 'AUTH.ACCOUNT_LOCKED' });
    expect(await readStudy(b.url, token)).toEqual({ status: 401, code: 'AUTH.ACCOUNT_LOCKED' });
  });

  it('the per-username rate limit is one count over both instances', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < PER_USER_LIMIT; attempt += 1) statuses.push((await login(attempt % 2 === 0 ? a.url : b.url, 'no-such-user', 'a guessed passphrase')).status);
    // Each instance alone has seen only half the limit; together they have seen all of it
    expect(statuses).toEqual(Array(PER_USER_LIMIT).fill(401));
    for (const url of [a.url, b.url]) {
      const response = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'no-such-user', password: 'x' }) });
      expect(response.status).toBe(429);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it("the viewer's sign-in form from one instance is accepted by the other (CSRF tokens need no per-process secret)", async () => {
    const form = await fetch(`${a.url}/viewer/login`);
    const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
    expect(cookie).toMatch(/^tl_viewer_pre=/);
    const signIn = (url: string, token: string | undefined): Promise<Response> =>
      fetch(`${url}/viewer/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
        body: new URLSearchParams({ _csrf: token ?? '', username: 'investigator', password: PASSWORD }).toString(),
      });
    expect((await signIn(b.url, 'forged')).status).toBe(403);
    const signedIn = await signIn(b.url, csrf);
    expect(signedIn.status).toBe(303);
    const session = (signedIn.headers.getSetCookie().find((c) => c.startsWith('tl_viewer_session=')) ?? '').split(';')[0];
    expect((await fetch(`${a.url}/viewer`, { headers: { Cookie: session }, redirect: 'manual' })).status).toBe(200);
  });

  it('a restart of one instance keeps the sessions: the token stays valid on it', async () => {
    const { token } = await login(a.url, 'investigator', PASSWORD);
    a.kill('SIGTERM');
    await a.exited;
    a = await startServe(store, [], env);
    expect((await readStudy(a.url, token)).status).toBe(200);
    expect((await readStudy(b.url, token)).status).toBe(200);
  }, 60_000);
});
