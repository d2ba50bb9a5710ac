import { Client } from 'pg';
import { openEventStore } from '@trial-ledger/event-store';
import { usePostgresTestServer } from '../../libs/event-store/src/testing/use-postgres-test-server';
import { cli, PASSWORD, seedUsers, tempDir } from './cli-harness';

const server = usePostgresTestServer();

/** A session that holds the append lock and does nothing more: a stuck tool, a psql session left inside a transaction. */
const holdAppendLock = async (url: string): Promise<Client> => {
  const holder = new Client({ connectionString: url });
  await holder.connect();
  await holder.query(`SELECT pg_advisory_lock(hashtextextended('trial-ledger.append', 0))`);
  return holder;
};

const headOf = async (url: string): Promise<number> => {
  const store = await openEventStore(url);
  try {
    return (await store.head()).position;
  } finally {
    await store.close();
  }
};

/**
 * A CLI write on PostgreSQL while another session holds the append lock waited the server's 10 s lock wait
 * per append before it failed, where the same write on SQLite waits 2 s and refuses STORE.LOCKED. Now a CLI
 * process waits as long on either store; `serve` keeps its own wait.
 */
describe('CLI on PostgreSQL: a write while another session holds the append lock', () => {
  const dir = tempDir();
  const env = { TRIAL_LEDGER_PASSWORD: PASSWORD, TRIAL_LEDGER_KEY_DIR: dir.keyDir, TRIAL_LEDGER_DEMO_PASSWORD: PASSWORD };
  afterAll(() => dir.remove());

  const refusedWhileHeld = async (url: string, argv: readonly string[]) => {
    const holder = await holdAppendLock(url);
    const started = Date.now();
    try {
      const run = await cli(argv, env);
      return { run, took: Date.now() - started };
    } finally {
      await holder.end();
    }
  };

  it('given the lock held throughout, when `study register` runs, then it is refused within the CLI wait as STORE.LOCKED, saying what to do, and nothing is written', async () => {
    const url = await server.createDatabase();
    await seedUsers(url);
    const before = await headOf(url);
    const { run, took } = await refusedWhileHeld(url, ['--store', url, 'study', 'register', '--as', 'admin']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[STORE.LOCKED]');
    expect(run.stderr).toMatch(/another process is writing the ledger .*try again in a moment/i);
    // The sign-in's event and the command's each waited 10 s before
    expect(took).toBeLessThan(8_000);
    expect(await headOf(url)).toBe(before);
    // and once the holder is gone, the same command goes ahead
    expect((await cli(['--store', url, 'study', 'register', '--as', 'admin'], env)).status).toBe(0);
  }, 60_000);

  it('given the lock held throughout, when `demo` runs on an empty database, then it is refused as STORE.LOCKED in words for the demo, not "send it to the running server\'s API"', async () => {
    const url = await server.createDatabase();
    const { run, took } = await refusedWhileHeld(url, ['--store', url, 'demo']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[STORE.LOCKED]');
    expect(run.stderr).not.toContain("running server's API");
    expect(run.stderr).toMatch(/the demo stopped/i);
    expect(took).toBeLessThan(8_000);
  }, 60_000);

  it('given the lock on the target held throughout, when `migrate` copies into it, then it is refused within the CLI wait as STORE.LOCKED, saying to run it again', async () => {
    const from = await server.createDatabase();
    await seedUsers(from);
    const to = await server.createDatabase();
    const { run, took } = await refusedWhileHeld(to, ['--store', from, 'migrate', '--to', to]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[STORE.LOCKED]');
    expect(run.stderr).toMatch(/run migrate again/i);
    expect(run.stderr).not.toContain("running server's API");
    expect(took).toBeLessThan(8_000);
    expect(await headOf(to)).toBe(0);
  }, 60_000);
});
