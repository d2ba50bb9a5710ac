import { startPostgresTestServer, type PostgresTestServer } from '../../libs/event-store/src/testing/postgres-test-server';
import { runLoad, seedLedger } from './support/ledger-check';
import { startServe, type ServeProcess, sleep } from './support/ledger-process';

interface LogLine {
  readonly level: number;
  readonly service: string;
  readonly msg: string;
  readonly code?: string;
}

/**
 * What an operator's log shows while PostgreSQL drops the server's connections and restarts under load:
 * every line of stderr a JSON log line, every warning and error with a stable code, and never the
 * database password of the store URL — then a SIGTERM stop that still exits 0.
 */
describe('serve on PostgreSQL: the log while the database drops connections and restarts under load', () => {
  let pg: PostgresTestServer;
  let store: string;
  let server: ServeProcess;

  beforeAll(async () => {
    pg = await startPostgresTestServer();
    store = await pg.createDatabase();
    server = await startServe(store, [], { TRIAL_LEDGER_LOG_LEVEL: 'info' });
    await seedLedger(store, server.url);
  }, 120_000);

  afterAll(async () => {
    server?.kill('SIGKILL');
    await server?.exited;
    await pg?.stop();
  });

  it('every stderr line parses, each warning and error has a code, no password appears, and SIGTERM still exits 0', async () => {
    let stop = false;
    const statuses = new Map<number, number>();
    const load = runLoad(() => server.url, { clients: 3, prefix: 'PGLOG', until: () => stop, onOutcome: (o) => statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1) });
    try {
      await sleep(1_000);
      await pg.terminateBackends();
      await sleep(1_000);
      await pg.restart({ signal: 'SIGINT', downMs: 1_500 });
      await sleep(2_000);
    } finally {
      stop = true;
      await load;
    }
    server.kill('SIGTERM');
    expect((await Promise.race([server.exited, sleep(40_000).then(() => ({ code: 'timeout' }))])).code).toBe(0);
    const lines = server.stderr().split('\n').filter((line) => line !== '');
    const parsed = lines.map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
    for (const line of parsed) if (line.level >= 40) expect([line.code, line.msg]).toEqual([expect.stringMatching(/^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$/), line.msg]);
    const password = decodeURIComponent(new URL(store).password);
    expect(password.length).toBeGreaterThan(0);
    expect(server.stderr()).not.toContain(password);
    expect(parsed.map((line) => line.msg)).toEqual(expect.arrayContaining([expect.stringContaining('stopped; the store is closed')]));
    // The faults were felt (some commands answered 503) and commands went through around them.
    expect(statuses.get(201) ?? 0).toBeGreaterThan(0);
  }, 180_000);
});
