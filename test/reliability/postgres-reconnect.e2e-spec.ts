import { Client } from 'pg';
import { startPostgresTestServer, type PostgresTestServer, withPostgresClient } from '../../libs/event-store/src/testing/postgres-test-server';
import { lostOrDoubled, readLedger, runLoad, seedLedger } from './support/ledger-check';
import { LedgerClient, STUDY, startServe, type CommandOutcome, type ServeProcess, sleep } from './support/ledger-process';

/** Polls until a screening goes through again; resolves with how long that took. */
const recovered = async (client: LedgerClient, subjectId: string, ms = 30_000): Promise<number> => {
  const start = Date.now();
  let last: unknown = null;
  while (Date.now() - start < ms) {
    const outcome = await client.screen(subjectId, `key-${subjectId}`).catch((error: Error) => error.message);
    if (typeof outcome === 'object' && (outcome.status === 201 || outcome.status === 200)) return Date.now() - start;
    last = outcome;
    await sleep(100);
  }
  throw new Error(`no successful command within ${ms} ms; the last answer: ${JSON.stringify(last)}`);
};

describe('serve on PostgreSQL when the database drops its connections or restarts under load', () => {
  let pg: PostgresTestServer;
  let store: string;
  let server: ServeProcess;

  beforeAll(async () => {
    pg = await startPostgresTestServer();
    store = await pg.createDatabase();
    server = await startServe(store);
    await seedLedger(store, server.url);
  }, 120_000);

  afterAll(async () => {
    server?.kill('SIGKILL');
    await server?.exited;
    await pg?.stop();
  });

  it('given another session holding the append lock, concurrent commands answer 503 STORE.LOCKED with Retry-After after one lock wait, /health is red with that code, and both recover once the lock is released', async () => {
    const client = new LedgerClient(server.url);
    expect((await client.screen('LK000', 'key-LK000')).status).toBe(201); // signed in before the lock is taken
    const holder = new Client({ connectionString: store });
    await holder.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(hashtextextended('trial-ledger.append', 0))`);
      const started = Date.now();
      const outcomes = await Promise.all(['LK001', 'LK002', 'LK003', 'LK004'].map((id) => client.screen(id, `key-${id}`)));
      // The server waits 10 s for the lock, once: four waits in a row would take 40 s
      expect(Date.now() - started).toBeLessThan(25_000);
      expect(outcomes).toEqual(Array(4).fill({ status: 503, code: 'STORE.LOCKED', retryAfter: '5' }));
      const health = await fetch(`${server.url}/health`);
      expect([health.status, ((await health.json()) as { code?: string }).code, health.headers.get('retry-after')]).toEqual([503, 'STORE.LOCKED', '5']);
    } finally {
      await holder.end();
    }
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await client.screen('LK001', 'key-LK001')).status).toBe(201);
    expect(server.child.exitCode).toBeNull();
    const contents = await readLedger(store);
    expect([contents.screenings.get('LK000'), contents.screenings.get('LK001'), contents.screenings.get('LK002'), contents.chainOk]).toEqual([1, 1, undefined, true]);
  }, 120_000);

  it('given the database password rotated under a running server, commands answer 503 STORE.UNAVAILABLE with Retry-After (not a 500) and /health is red, and it recovers by itself once the password it holds is valid again', async () => {
    const client = new LedgerClient(server.url);
    expect((await client.screen('PW000', 'key-PW000')).status).toBe(201);
    const held = new URL(store);
    const rotated = new URL(store);
    rotated.password = 'rotated-password-3';
    await withPostgresClient(store, async (admin) => {
      await admin.query(`ALTER ROLE ${admin.escapeIdentifier(held.username)} PASSWORD 'rotated-password-3'`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()');
    });
    try {
      expect(await client.screen('PW001', 'key-PW001')).toEqual({ status: 503, code: 'STORE.UNAVAILABLE', retryAfter: '5' });
      // Readiness red with a time to come back; liveness green, so the instance is not restarted for the database's sake
      const ready = await fetch(`${server.url}/health/ready`);
      expect([ready.status, ((await ready.json()) as { code?: string }).code, ready.headers.get('retry-after')]).toEqual([503, 'STORE.UNAVAILABLE', '5']);
      expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
      expect(server.stderr()).not.toContain('rotated-password-3');
    } finally {
      await withPostgresClient(rotated.toString(), (admin) => admin.query(`ALTER ROLE ${admin.escapeIdentifier(held.username)} PASSWORD '${decodeURIComponent(held.password)}'`));
    }
    await recovered(client, 'PW002');
    expect(server.child.exitCode).toBeNull();
  }, 120_000);

  it('given a database role that may only read, serve is red from its start with 503 STORE.READ_ONLY (not 200), a login and a command answer that instead of a 500 and write nothing, and a GRANT turns it green without a restart', async () => {
    const database = new URL(store).pathname.slice(1);
    await withPostgresClient(store, async (admin) => {
      await admin.query(`CREATE ROLE reader LOGIN PASSWORD 'reader-secret-7'`);
      await admin.query(`GRANT CONNECT ON DATABASE "${database}" TO reader`);
      await admin.query('GRANT USAGE ON SCHEMA public TO reader');
      await admin.query('GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader');
    });
    const readerUrl = new URL(store);
    readerUrl.username = 'reader';
    readerUrl.password = 'reader-secret-7';
    const before = await readLedger(store);
    const reader = await startServe(readerUrl.toString());
    try {
      const health = async (): Promise<[number, string | undefined, string | null]> => {
        const response = await fetch(`${reader.url}/health/ready`);
        return [response.status, ((await response.json()) as { code?: string }).code, response.headers.get('retry-after')];
      };
      expect(await health()).toEqual([503, 'STORE.READ_ONLY', '5']);
      const login = await fetch(`${reader.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'coordinator', password: 'correct horse battery staple 42' }),
      });
      expect([login.status, ((await login.json()) as { code?: string }).code]).toEqual([503, 'STORE.READ_ONLY']);
      // Still red past the 10 s a full disk is held for: the database is asked, and the role still may not write
      await sleep(10_500);
      expect(await health()).toEqual([503, 'STORE.READ_ONLY', '5']);
      expect((await readLedger(store)).head).toBe(before.head);
      await withPostgresClient(store, (admin) => admin.query('GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO reader'));
      expect((await health())[0]).toBe(200);
      expect((await new LedgerClient(reader.url).screen('RO001', 'key-RO001')).status).toBe(201);
      expect(reader.stderr()).not.toContain('reader-secret-7');
    } finally {
      reader.kill('SIGKILL');
      await reader.exited;
    }
  }, 120_000);

  it('survives pg_terminate_backend of every connection and an immediate database stop/start: 503 with Retry-After meanwhile, reconnects by itself, loses nothing', async () => {
    const outcomes: Array<CommandOutcome | { status: 0; code: string }> = [];
    let stop = false;
    const load = runLoad(() => server.url, { clients: 4, prefix: 'PG', until: () => stop, onOutcome: (o) => outcomes.push(o) });

    // When every backend is terminated twice under load, then the database stops (as a crash) and restarts
    await sleep(1500);
    expect(await pg.terminateBackends()).toBeGreaterThan(0);
    await sleep(500);
    await pg.terminateBackends();
    await sleep(500);
    await pg.restart({ signal: 'SIGQUIT', downMs: 2000 });
    const recoveryMs = await recovered(new LedgerClient(server.url), 'PGprobe1').catch((error: Error) => {
      throw new Error(`${error.message}\nserve stderr: ${server.stderr().slice(-3000)}`);
    });
    await sleep(1000);
    stop = true;
    const { acknowledged } = await load;

    // Then the server is still the same process and answers again without a restart
    expect(server.child.exitCode).toBeNull();
    expect(server.stderr()).not.toMatch(/Unhandled 'error' event|Connection terminated unexpectedly\n\s+at/);
    expect(recoveryMs).toBeLessThan(15_000);
    // Refusals meanwhile were honest: 503 STORE.UNAVAILABLE with Retry-After, never a 500
    const refused = outcomes.filter((o) => o.status !== 201 && o.status !== 200);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.filter((o) => o.status === 500)).toEqual([]);
    for (const o of refused.filter((r): r is CommandOutcome => r.status === 503)) expect([o.code, o.retryAfter]).toEqual(['STORE.UNAVAILABLE', '5']);
    // Every acknowledged screening is in the ledger exactly once, and the chain verifies
    const contents = await readLedger(store);
    expect(acknowledged.size).toBeGreaterThan(10);
    expect(lostOrDoubled(acknowledged, contents)).toEqual({ lost: [], doubled: [] });
    expect(contents.chainOk).toBe(true);

    // And the read models resumed: the overview counts every subject in the ledger, new ones included
    const monitor = new LedgerClient(server.url, 'monitor');
    await recovered(new LedgerClient(server.url), 'PGprobe2');
    expect((await monitor.get(`/api/v1/studies/${STUDY}/overview`)).status).toBe(200); // logs in: an event too
    const after = await readLedger(store);
    // Queries answer from the read models as they stand; a reader that must see the head asks for it
    const overview = await monitor.get(`/api/v1/studies/${STUDY}/overview?minPosition=${after.head}`);
    expect(overview.status).toBe(200);
    expect((overview.body as { asOf: { position: number } }).asOf.position).toBe(after.head);
  }, 120_000);
});
