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

/** What docker/README.md says about several API instances on one PostgreSQL database, checked. */
describe('two API instances on one PostgreSQL database', () => {
  let pg: PostgresTestServer;
  let store: string;
  let a: ServeProcess;
  let b: ServeProcess;

  beforeAll(async () => {
    pg = await startPostgresTestServer();
    store = await pg.createDatabase();
    a = await startServe(store);
    await seedLedger(store, a.url);
    b = await startServe(store);
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

  it('failed logins count towards lockout across instances (the counter is the identity stream in the store)', async () => {
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const outcome = await login(attempt % 2 === 0 ? a.url : b.url, 'monitor', `wrong passphrase number ${attempt}`);
      expect(outcome.status).toBe(401);
    }
    // Locked on both: the right password is refused too, with the same answer as a wrong one (no account enumeration)
    expect(await login(a.url, 'monitor', PASSWORD)).toMatchObject({ status: 401, code: 'AUTH.INVALID_CREDENTIALS' });
    expect(await login(b.url, 'monitor', PASSWORD)).toMatchObject({ status: 401, code: 'AUTH.INVALID_CREDENTIALS' });
  });

  it('sessions are not shared yet: a token from one instance is refused by the other (a load balancer needs sticky sessions)', async () => {
    const { token } = await login(a.url, 'investigator', PASSWORD);
    const onA = await fetch(`${a.url}/api/v1/studies/${STUDY}`, { headers: { Authorization: `Bearer ${token}` } });
    const onB = await fetch(`${b.url}/api/v1/studies/${STUDY}`, { headers: { Authorization: `Bearer ${token}` } });
    expect([onA.status, onB.status]).toEqual([200, 401]);
  });
});
