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
  const keyDir = join(dir.path, 'keys');
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
  const keyDir = join(dir.path, 'keys');
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
