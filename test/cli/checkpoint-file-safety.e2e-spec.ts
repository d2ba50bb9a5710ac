import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendCheckpoint, ledgerFiles, type SignedCheckpoint } from '@trial-ledger/audit';
import { openEventStore, SqliteEventStore } from '@trial-ledger/event-store';
import { serve } from '../../apps/cli/src/serve/serve.command';
import { seedAuditLedger } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { cli, tempDir } from './cli-harness';

/**
 * The checkpoint file beside a SQLite ledger is written by `serve` (every N events) and `checkpoint`.
 * Whoever can write the store's directory can plant a symlink at its path; the server must not append
 * signed lines through it (to a file of the planter's choosing, the ledger's own WAL among them), as
 * the sessions and read-model files beside the ledger are already refused when they are symlinks.
 */
describe('the checkpoint file is never written through a symlink or into a non-file', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  const aCheckpoint: SignedCheckpoint = { position: 1, hash: 'a'.repeat(64), time: '2026-01-01T00:00:00.000Z', publicKeyFingerprint: 'sha256:00', signature: 'AA==' };

  it('serve refuses to start when a symlink sits at the checkpoint file, and writes nothing anywhere', async () => {
    const store = `sqlite:${join(dir.path, 'served.sqlite')}`;
    const keyDir = dir.keyDir;
    const elsewhere = join(dir.path, 'elsewhere');
    mkdirSync(elsewhere);
    const target = join(elsewhere, 'planted-target.txt');
    const { checkpointFile } = ledgerFiles(store, { keyDir });
    symlinkSync(target, checkpointFile);
    const writeErr = process.stderr.write.bind(process.stderr);
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (() => true) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      await expect(serve({ store, port: 0, host: '127.0.0.1', json: true, keyDir, checkpointEvery: 1, stopWhen: Promise.resolve() })).rejects.toMatchObject({
        code: 'CHECKPOINT.FILE_UNSAFE',
      });
    } finally {
      process.stdout.write = write;
      process.stderr.write = writeErr;
    }
    expect(existsSync(target)).toBe(false);
    const reopened = await openEventStore(store);
    expect((await reopened.head()).position).toBe(0);
    await reopened.close();
  });

  it('appendCheckpoint refuses a symlink planted after any check, and leaves its target as it was', () => {
    const victim = join(dir.path, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    const link = join(dir.path, 'late.checkpoints.jsonl');
    symlinkSync(victim, link);
    expect(() => appendCheckpoint(link, aCheckpoint)).toThrow(expect.objectContaining({ code: 'CHECKPOINT.FILE_UNSAFE' }));
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
  });

  it('appendCheckpoint refuses a FIFO, with or without a reader at its other end', () => {
    const fifo = join(dir.path, 'fifo.checkpoints.jsonl');
    execFileSync('mkfifo', [fifo]);
    // With a reader the write would go through at once (so a regression fails here rather than hang the run) …
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      expect(() => appendCheckpoint(fifo, aCheckpoint)).toThrow(expect.objectContaining({ code: 'CHECKPOINT.FILE_UNSAFE' }));
    } finally {
      closeSync(reader);
    }
    // … and without one the open must not wait for a reader.
    expect(() => appendCheckpoint(fifo, aCheckpoint)).toThrow(expect.objectContaining({ code: 'CHECKPOINT.FILE_UNSAFE' }));
  });

  it('appendCheckpoint still appends to a regular file, and creates a missing one 0600', () => {
    const file = join(dir.path, 'fresh', 'ok.checkpoints.jsonl');
    appendCheckpoint(file, aCheckpoint);
    appendCheckpoint(file, { ...aCheckpoint, position: 2 });
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as SignedCheckpoint).position);
    expect(lines).toEqual([1, 2]);
    expect(execFileSync('stat', ['-c', '%a', file], { encoding: 'utf8' }).trim()).toBe('600');
  });
});

describe('checkpoint --copy-to appends only to a checkpoint file (or a new one)', () => {
  const dir = tempDir();
  const ledger = join(dir.path, 'ledger.sqlite');
  const store = `sqlite:${ledger}`;
  const keyDir = dir.keyDir;
  afterAll(() => dir.remove());

  beforeAll(async () => {
    const s = new SqliteEventStore(ledger);
    await seedAuditLedger(s);
    await s.close();
  });

  it.each([
    ['a public key file', 'ledger.pub.pem', '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAvOWeOnZ2aT78/6lu1nSWfwK9ll75PvQa9YIu2AklYx0=\n-----END PUBLIC KEY-----\n'],
    ['a report', 'report.html', '<!doctype html><title>report</title>\n'],
  ])('given %s as the copy, it is refused (CHECKPOINT.MALFORMED), left as it was, and nothing is signed', async (_what, name, content) => {
    const copy = join(dir.path, name);
    writeFileSync(copy, content);
    const run = await cli(['--store', store, '--key-dir', keyDir, 'checkpoint', '--copy-to', copy]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[CHECKPOINT.MALFORMED]');
    expect(readFileSync(copy, 'utf8')).toBe(content);
    expect(existsSync(join(dir.path, 'ledger.checkpoints.jsonl'))).toBe(false);
  });

  it('given another ledger as the copy, it is refused and the other ledger is left byte for byte', async () => {
    const other = join(dir.path, 'other.sqlite');
    const s = new SqliteEventStore(other);
    await seedAuditLedger(s);
    await s.close();
    const before = readFileSync(other);
    const run = await cli(['--store', store, '--key-dir', keyDir, 'checkpoint', '--copy-to', other]);
    expect(run.status).toBe(1);
    expect(readFileSync(other).equals(before)).toBe(true);
  });

  it('appends to a new copy and to an existing checkpoint file', async () => {
    const copy = join(dir.path, 'sponsor', 'checkpoints.jsonl');
    expect((await cli(['--store', store, '--key-dir', keyDir, 'checkpoint', '--copy-to', copy])).status).toBe(0);
    expect((await cli(['--store', store, '--key-dir', keyDir, 'checkpoint', '--copy-to', copy])).status).toBe(0);
    expect(readFileSync(copy, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
