import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { createCheckpoint, ensureLedgerKeyFor, ledgerFiles } from '@trial-ledger/audit';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { seedAuditLedger } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { rewriteDoseAndRecompute, SqliteAttacker } from '../../libs/audit/src/testing/sqlite-attacker';
import { serve } from '../../apps/cli/src/serve/serve.command';
import { tempDir } from './cli-harness';

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/**
 * `serve` on a log rewritten behind its back (a payload changed, the chain and the stored Merkle tree
 * recomputed by someone with write access to the data directory, the signing key untouched): the
 * signed checkpoint's root no longer matches, and the server must refuse to start — before it appends
 * anything to that log, and without leaving an API listening. Before, it recorded AccountPolicyChanged,
 * started the API, then failed on the checkpoint check and went on serving with no checkpoints at all.
 */
describe('serve on a rewritten ledger', () => {
  const dir = tempDir();
  const db = join(dir.path, 'ledger.sqlite');
  const store = `sqlite:${db}`;
  const keyDir = dir.keyDir;
  let headBefore: number;

  beforeAll(async () => {
    const s = new SqliteEventStore(db);
    const seeded = await seedAuditLedger(s);
    await createCheckpoint(s, ensureLedgerKeyFor(ledgerFiles(store, { keyDir })), ledgerFiles(store, { keyDir }).checkpointFile);
    headBefore = (await s.head()).position;
    await s.close();
    rewriteDoseAndRecompute(db, seeded.doseToCorrect);
  });
  afterAll(() => dir.remove());

  it('refuses to start with LEDGER.TAMPERED, appends nothing, and leaves no API listening', async () => {
    const port = await freePort();
    const write = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    process.stdout.write = (() => true) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    let stop!: () => void;
    const stopWhen = new Promise<void>((r) => (stop = r));
    try {
      await expect(serve({ store, port, host: '127.0.0.1', json: true, keyDir, stopWhen })).rejects.toMatchObject({ code: 'LEDGER.TAMPERED' });
      expect(await accepts(port)).toBe(false);
    } finally {
      stop();
      process.stdout.write = write;
      process.stderr.write = writeErr;
    }
    const reopened = new SqliteEventStore(db);
    expect((await reopened.head()).position).toBe(headBefore);
    await reopened.close();
  });
});

/**
 * `serve` on a log whose last events were deleted (triggers dropped) while the checkpoint file still
 * holds a checkpoint signed past the new end: a truncated log, refused as such — it answered
 * INTERNAL.ERROR "The stored Merkle tree lacks node …", which named no damage.
 */
describe('serve on a truncated ledger', () => {
  const dir = tempDir();
  const db = join(dir.path, 'ledger.sqlite');
  const store = `sqlite:${db}`;
  const keyDir = dir.keyDir;
  let signedThrough: number;

  beforeAll(async () => {
    const s = new SqliteEventStore(db);
    await seedAuditLedger(s);
    signedThrough = (await createCheckpoint(s, ensureLedgerKeyFor(ledgerFiles(store, { keyDir })), ledgerFiles(store, { keyDir }).checkpointFile)).position;
    await s.close();
    const attacker = new SqliteAttacker(db);
    attacker.exec('DELETE FROM events WHERE global_position > ?', signedThrough - 3);
    attacker.close();
  });
  afterAll(() => dir.remove());

  it('refuses to start with LEDGER.TAMPERED naming the missing events, and appends nothing', async () => {
    const writeErr = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      await expect(serve({ store, port: await freePort(), host: '127.0.0.1', json: true, keyDir, stopWhen: Promise.resolve() })).rejects.toMatchObject({
        code: 'LEDGER.TAMPERED',
        message: expect.stringContaining(`events ${signedThrough - 2}–${signedThrough} are missing`),
      });
    } finally {
      process.stderr.write = writeErr;
    }
    const reopened = new SqliteEventStore(db);
    expect((await reopened.head()).position).toBe(signedThrough - 3);
    await reopened.close();
  });
});

/**
 * `serve` on a ledger whose damage lies after its last signed checkpoint (a payload edited in the file,
 * the hash left as it was): the start verifies those events as it folds them into the next checkpoint,
 * finds the damage, and goes on serving — the API stays reachable for the investigation — but readiness
 * answers 503 LEDGER.TAMPERED, so a probe raises the alarm. It answered 200 with a line on stderr only.
 */
describe('serve on a ledger damaged after its last checkpoint', () => {
  const dir = tempDir();
  const db = join(dir.path, 'ledger.sqlite');
  const store = `sqlite:${db}`;
  const keyDir = dir.keyDir;
  let damagedAt: number;

  beforeAll(async () => {
    const s = new SqliteEventStore(db);
    const seeded = await seedAuditLedger(s);
    await s.close();
    damagedAt = seeded.doseToCorrect.globalPosition;
    const attacker = new SqliteAttacker(db);
    expect(attacker.exec(`UPDATE events SET data = json_set(data, '$.doseMg', 240) WHERE global_position = ?`, damagedAt)).toBe(1);
    attacker.close();
  });
  afterAll(() => dir.remove());

  it('serves, with readiness 503 LEDGER.TAMPERED and the position on stderr, every answer marked damaged, while liveness stays up', async () => {
    const write = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    const printed: string[] = [];
    const errors: string[] = [];
    process.stdout.write = ((chunk: string) => printed.push(String(chunk)) > 0) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => errors.push(String(chunk)) > 0) as typeof process.stderr.write;
    let stop!: () => void;
    const stopWhen = new Promise<void>((r) => (stop = r));
    let running: Promise<void> | undefined;
    const level = process.env.TRIAL_LEDGER_LOG_LEVEL;
    try {
      const port = await freePort();
      // The log (a JSON line per message) is written through its own destination, not process.stderr.write.
      const logDestination = { write: (chunk: string) => void errors.push(chunk) };
      process.env.TRIAL_LEDGER_LOG_LEVEL = 'error'; // the test run's default is silent (restored below)
      running = serve({ store, port, host: '127.0.0.1', json: true, keyDir, stopWhen, logDestination });
      for (let i = 0; i < 200 && !printed.some((line) => line.startsWith('{')); i += 1) await new Promise((r) => setTimeout(r, 50));
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(ready.status).toBe(503);
      const problem = (await ready.json()) as { code: string; checks: Record<string, { status: string }> };
      expect(problem.code).toBe('LEDGER.TAMPERED');
      expect(problem.checks.ledger).toEqual({ status: 'down', fault: 'LEDGER.TAMPERED' });
      expect(JSON.stringify(problem)).not.toContain(String(damagedAt));
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
      // Every answer says so: a header (the position to a signed-in caller only) and, on a viewer page, a banner.
      const signIn = await fetch(`http://127.0.0.1:${port}/viewer/login`);
      expect(signIn.headers.get('ledger-integrity')).toBe('damaged; code="LEDGER.TAMPERED"');
      expect(await signIn.text()).toContain('<strong>Ledger damaged:</strong> the server found an event that no longer matches its hash');
      const damage = errors.map((line) => JSON.parse(line) as { level: number; code?: string; position?: number; msg: string }).find((line) => line.code === 'LEDGER.TAMPERED');
      expect(damage).toMatchObject({ level: 50, position: damagedAt, msg: expect.stringContaining(`LEDGER DAMAGED at position ${damagedAt}`) });
    } finally {
      stop();
      await running?.catch(() => undefined);
      process.stdout.write = write;
      process.stderr.write = writeErr;
      if (level === undefined) delete process.env.TRIAL_LEDGER_LOG_LEVEL;
      else process.env.TRIAL_LEDGER_LOG_LEVEL = level;
    }
  });
});
