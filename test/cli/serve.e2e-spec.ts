import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { ledgerFiles, loadLedgerKey, readCheckpointFile, verifyLedger } from '@trial-ledger/audit';
import { openEventStore, SqliteEventStore } from '@trial-ledger/event-store';
import { testEvent } from '../../libs/event-store/src/testing';
import { serve } from '../../apps/cli/src/serve/serve.command';
import { tempDir } from './cli-harness';

const ROOT = resolve(__dirname, '../..');

const waitFor = async <T>(probe: () => T | undefined, ms = 20_000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('trial-ledger serve', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('given a store, when serving, then it logs the URL, answers /health and, told to stop, closes the store', async () => {
    const store = `sqlite:${join(dir.path, 'served.sqlite')}`;
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    let stop!: () => void;
    const stopWhen = new Promise<void>((r) => (stop = r));
    process.stdout.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      const running = serve({ store, port: 0, host: '127.0.0.1', json: true, stopWhen });
      const ready = JSON.parse(await waitFor(() => lines[0])) as { url: string; health: string; store: string };
      expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(ready.health);
      expect(health.status).toBe(200);
      stop();
      await running;
      await expect(fetch(ready.health)).rejects.toThrow();
    } finally {
      process.stdout.write = write;
      process.stderr.write = writeErr;
    }
    // Serving writes nothing but the account policy it started with (the first start on this ledger)
    const reopened = await openEventStore(store);
    expect((await reopened.head()).position).toBe(1);
    expect((await reopened.getEvent((await reopened.readStream('account-policy'))[0].eventId))?.type).toBe('AccountPolicyChanged');
    await reopened.close();
  });

  it('given a port another process holds, when serving is refused, then nothing was recorded: not even the account policy it would have started with', async () => {
    const file = join(dir.path, 'port-taken.sqlite');
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const writeErr = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      const port = (taken.address() as AddressInfo).port;
      // A stable code and words, not Node's bare `listen EADDRINUSE`.
      await expect(serve({ store: `sqlite:${file}`, port, host: '127.0.0.1', json: true, stopWhen: new Promise(() => undefined) })).rejects.toMatchObject({
        code: 'SERVE.ADDRESS_IN_USE',
        exitCode: 1,
        message: `127.0.0.1:${port} is already in use by another process: stop that process or give another --port (or --host)`,
      });
    } finally {
      process.stderr.write = writeErr;
      await new Promise((r) => taken.close(r));
    }
    const reopened = await openEventStore(`sqlite:${file}`);
    expect((await reopened.head()).position).toBe(0);
    await reopened.close();
  });

  it('signs a checkpoint every N events while serving, verified and appended beside the store', async () => {
    const file = join(dir.path, 'checkpointed.sqlite');
    const writeErr = process.stderr.write.bind(process.stderr);
    const write = process.stdout.write.bind(process.stdout);
    let stop!: () => void;
    const stopWhen = new Promise<void>((r) => (stop = r));
    process.stdout.write = (() => true) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    const { keyFile, checkpointFile } = ledgerFiles(`sqlite:${file}`);
    try {
      const running = serve({ store: `sqlite:${file}`, port: 0, host: '127.0.0.1', json: true, stopWhen, checkpointEvery: 3 });
      // Another writer on the same file, as a second server process would be.
      const writer = new SqliteEventStore(file);
      for (let i = 0; i < 7; i += 1) await writer.append({ writes: [{ streamId: `s-${i}`, expectedVersion: 0, events: [testEvent('E', { i })] }] });
      await writer.close();
      await waitFor(() => (existsSync(checkpointFile) && readCheckpointFile(checkpointFile).length >= 2 ? true : undefined));
      stop();
      await running;
    } finally {
      process.stdout.write = write;
      process.stderr.write = writeErr;
    }
    const checkpoints = readCheckpointFile(checkpointFile);
    expect(checkpoints.map((c) => c.position)).toEqual([3, 6]);
    const store = await openEventStore(`sqlite:${file}`);
    const verdict = await verifyLedger(store, { checkpoints, publicKey: loadLedgerKey(keyFile).publicKey });
    await store.close();
    expect(verdict.ok).toBe(true);
  });

  it('as a process (built binary): SIGTERM stops it with exit status 0', async () => {
    // At info: the stop's line is read below (the test run's level is silent).
    const child = spawn(process.execPath, [join(ROOT, 'bin/trial-ledger.js'), '--store', `sqlite:${join(dir.path, 'bin.sqlite')}`, '--json', 'serve', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TRIAL_LEDGER_LOG_LEVEL: 'info' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const ready = JSON.parse(await waitFor(() => (out.includes('\n') ? out.split('\n')[0] : undefined), 60_000)) as { health: string };
      expect((await fetch(ready.health)).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(err).toContain('SIGTERM received');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('given a refusal while the API is being built (a directory where the read models go), --json prints it as its error line on stdout and the process exits 1: no colour-coded framework log, no log line on stdout', async () => {
    const file = join(dir.path, 'side-dir.sqlite');
    const seeded = new SqliteEventStore(file);
    await seeded.close();
    mkdirSync(`${file}.read-models`);
    const child = spawn(process.execPath, [join(ROOT, 'bin/trial-ledger.js'), '--store', `sqlite:${file}`, '--json', 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(out.split('\n').filter((line) => line !== '')).toHaveLength(1);
    expect((JSON.parse(out) as { error: { code: string } }).error.code).toBe('READ_MODELS.FILE_UNSAFE');
    // eslint-disable-next-line no-control-regex
    expect(out + err).not.toMatch(/\u001b\[|\[Nest\]/);
  });
});
