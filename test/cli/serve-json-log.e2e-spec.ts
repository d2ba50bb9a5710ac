import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { closeSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, runBinary } from './binary-harness';
import { tempDir } from './cli-harness';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface LogLine {
  readonly level: number;
  readonly time: string;
  readonly service: string;
  readonly msg: string;
  readonly code?: string;
}

/**
 * `serve`'s stderr is its log: every line a JSON document in the API's format (pino: level, ISO time,
 * service, msg; a stable code on warnings and errors), the lines `serve` writes itself (the key it
 * created, the account policy it recorded, the stop) as well as the access lines and Nest's messages —
 * a log shipper reading one JSON document per line must never meet plain text.
 */
describe('serve: every line on stderr is a JSON log line', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  /** The lines of a refused start's stderr, each of which must parse. */
  const logLines = (stderr: string): LogLine[] =>
    stderr
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        try {
          return JSON.parse(line) as LogLine;
        } catch {
          throw new Error(`not a JSON log line: ${line}`);
        }
      });


  it('given a first start with a new signing key, when a request is served and SIGTERM stops it, then each stderr line parses as one log document', async () => {
    const child = spawn(process.execPath, [BIN, '--store', `sqlite:${join(dir.path, 'ledger.sqlite')}`, '--json', 'serve', '--port', '0', '--checkpoint-every', '5'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TRIAL_LEDGER_KEY_DIR: dir.keyDir, TRIAL_LEDGER_LOG_LEVEL: 'info' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const watchdog = setTimeout(() => child.kill('SIGKILL'), 60_000);
    try {
      for (const until = Date.now() + 50_000; !out.includes('\n') && Date.now() < until; ) await sleep(25);
      const ready = JSON.parse(out.slice(0, out.indexOf('\n'))) as { url: string };
      expect((await fetch(`${ready.url}/health/ready`)).status).toBe(200);
      expect((await fetch(`${ready.url}/api/v1/no-such-route`)).status).toBe(404);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      clearTimeout(watchdog);
      child.kill('SIGKILL');
    }
    const lines = err.split('\n').filter((line) => line !== '');
    const parsed = lines.map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
    for (const line of parsed) {
      expect(line).toEqual(expect.objectContaining({ level: expect.any(Number), service: 'trial-ledger-api', msg: expect.any(String) }));
      expect(new Date(line.time).toISOString()).toBe(line.time);
      if (line.level >= 40) expect(line.code).toMatch(/^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$/);
    }
    const messages = parsed.map((line) => line.msg);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining('created the ledger signing key'),
        expect.stringContaining('account policy recorded'),
        expect.stringMatching(/^listening on http:\/\/127\.0\.0\.1:\d+/),
        expect.stringContaining('GET /api/v1/no-such-route 404'),
        expect.stringContaining('SIGTERM received'),
        expect.stringContaining('stopped; the store is closed'),
      ]),
    );
    // The new key's fingerprint is a warning, so it is seen at TRIAL_LEDGER_LOG_LEVEL=warn too.
    expect(parsed.find((line) => line.msg.startsWith('created the ledger signing key'))).toMatchObject({ level: 40, code: 'LEDGER_KEY.CREATED' });
    // The access line of the refusal names its code, as every warning does.
    expect(parsed.find((line) => line.msg.startsWith('GET /api/v1/no-such-route 404'))).toMatchObject({ level: 40 });
    // The stop is the last word.
    expect(messages[messages.length - 1]).toContain('stopped; the store is closed');
  });

  it('given the ledger file deleted under a running server, when readiness is asked, then the 503 and every warning and error line it causes carry a code', async () => {
    const store = join(dir.path, 'deleted', 'ledger.sqlite');
    const child = spawn(process.execPath, [BIN, '--store', `sqlite:${store}`, '--json', 'serve', '--port', '0', '--checkpoint-every', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TRIAL_LEDGER_KEY_DIR: dir.keyDir, TRIAL_LEDGER_LOG_LEVEL: 'info' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const watchdog = setTimeout(() => child.kill('SIGKILL'), 60_000);
    try {
      for (const until = Date.now() + 50_000; !out.includes('\n') && Date.now() < until; ) await sleep(25);
      const ready = JSON.parse(out.slice(0, out.indexOf('\n'))) as { url: string };
      rmSync(join(dir.path, 'deleted'), { recursive: true, force: true });
      const login = await fetch(`${ready.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'nobody', password: 'wrong-password-123' }) });
      expect(login.status).toBe(503);
      const health = await fetch(`${ready.url}/health/ready`);
      expect([health.status, ((await health.json()) as { code: string }).code]).toEqual([503, 'STORE.FILE_REPLACED']);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      clearTimeout(watchdog);
      child.kill('SIGKILL');
    }
    const lines = logLines(err);
    const uncoded = lines.filter((line) => line.level >= 40 && line.code === undefined);
    expect(uncoded).toEqual([]);
    expect(lines.filter((line) => line.level >= 40).map((line) => line.code)).toContain('STORE.FILE_REPLACED');
  });

  it('given stderr on a full disk (/dev/full: every write ENOSPC), when requests are served and SIGTERM stops it, then the server keeps answering and exits 0', async () => {
    const full = openSync('/dev/full', 'w');
    const child = spawn(process.execPath, [BIN, '--store', `sqlite:${join(dir.path, 'log-disk-full.sqlite')}`, '--json', 'serve', '--port', '0', '--checkpoint-every', '0'], {
      stdio: ['ignore', 'pipe', full],
      env: { ...process.env, TRIAL_LEDGER_KEY_DIR: dir.keyDir, TRIAL_LEDGER_LOG_LEVEL: 'info' },
    });
    closeSync(full);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const watchdog = setTimeout(() => child.kill('SIGKILL'), 60_000);
    try {
      for (const until = Date.now() + 50_000; !out.includes('\n') && Date.now() < until; ) await sleep(25);
      const ready = JSON.parse(out.slice(0, out.indexOf('\n'))) as { url: string };
      for (let i = 0; i < 3; i += 1) {
        const login = await fetch(`${ready.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'nobody', password: 'wrong-password-123' }) });
        expect(login.status).toBe(401);
      }
      expect((await fetch(`${ready.url}/health/ready`)).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      clearTimeout(watchdog);
      child.kill('SIGKILL');
    }
  });

  it('given two servers on one SQLite ledger, when the second starts, then its warnings that it keeps the side files in memory carry a code', async () => {
    const store = `sqlite:${join(dir.path, 'two.sqlite')}`;
    const env = { ...process.env, TRIAL_LEDGER_KEY_DIR: dir.keyDir, TRIAL_LEDGER_LOG_LEVEL: 'info' };
    const startOne = (): { child: ReturnType<typeof spawn>; out: () => string; err: () => string; exited: Promise<number | null> } => {
      const child = spawn(process.execPath, [BIN, '--store', store, '--json', 'serve', '--port', '0', '--checkpoint-every', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env });
      let out = '';
      let err = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      return { child, out: () => out, err: () => err, exited: new Promise((r) => child.once('exit', (code) => r(code))) };
    };
    const first = startOne();
    const watchdog = setTimeout(() => first.child.kill('SIGKILL'), 60_000);
    let second: ReturnType<typeof startOne> | undefined;
    try {
      for (const until = Date.now() + 50_000; !first.out().includes('\n') && Date.now() < until; ) await sleep(25);
      second = startOne();
      for (const until = Date.now() + 50_000; !second.out().includes('\n') && Date.now() < until; ) await sleep(25);
      second.child.kill('SIGTERM');
      first.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      expect(await first.exited).toBe(0);
    } finally {
      clearTimeout(watchdog);
      first.child.kill('SIGKILL');
      second?.child.kill('SIGKILL');
    }
    const warnings = logLines(second.err()).filter((line) => line.level >= 40);
    const inMemory = warnings.filter((line) => line.msg.startsWith('Another server on this ledger writes'));
    expect(inMemory.map((line) => line.code).sort()).toEqual(['AUDIT.INDEX_IN_MEMORY', 'READ_MODEL.IN_MEMORY']);
    expect(warnings.filter((line) => line.code === undefined)).toEqual([]);
  });

  it('given side files that are not SQLite databases, when serve starts, then its lines saying they are rebuilt carry a code', async () => {
    const file = join(dir.path, 'side.sqlite');
    const startOnce = async (): Promise<string> => {
      const child = spawn(process.execPath, [BIN, '--store', `sqlite:${file}`, '--json', 'serve', '--port', '0', '--checkpoint-every', '0'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, TRIAL_LEDGER_KEY_DIR: dir.keyDir, TRIAL_LEDGER_LOG_LEVEL: 'info' },
      });
      let out = '';
      let err = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      const watchdog = setTimeout(() => child.kill('SIGKILL'), 60_000);
      try {
        for (const until = Date.now() + 50_000; !out.includes('\n') && Date.now() < until; ) await sleep(25);
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      } finally {
        clearTimeout(watchdog);
        child.kill('SIGKILL');
      }
      return err;
    };
    await startOnce();
    writeFileSync(`${file}.read-models`, 'not a database, '.repeat(512));
    const lines = logLines(await startOnce());
    expect(lines.filter((line) => line.level >= 40 && line.code === undefined)).toEqual([]);
    expect(lines.find((line) => line.msg.includes('is not a SQLite database'))).toMatchObject({ level: 50, code: 'READ_MODEL.UNREADABLE' });
  });

  it('given a port another process holds, when the start is refused (without --json), then the refusal is a JSON log line with its code too, exit 1', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    try {
      const port = (taken.address() as AddressInfo).port;
      const run = await runBinary(['--store', `sqlite:${join(dir.path, 'refused.sqlite')}`, 'serve', '--port', String(port), '--checkpoint-every', '0'], {
        env: { TRIAL_LEDGER_KEY_DIR: dir.keyDir, TRIAL_LEDGER_LOG_LEVEL: 'info' },
      });
      expect(run.status).toBe(1);
      const lines = run.stderr.split('\n').filter((line) => line !== '');
      for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
      const refusal = lines.map((line) => JSON.parse(line) as LogLine).find((line) => line.code === 'SERVE.ADDRESS_IN_USE');
      expect(refusal).toMatchObject({ level: 60, service: 'trial-ledger-api', msg: expect.stringContaining(`127.0.0.1:${port} is already in use by another process`) });
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });
  it.each([
    ['an invalid environment value', ['serve', '--port', '0'], { TRIAL_LEDGER_LOG_LEVEL: 'loud' }, 'CONFIG.INVALID', 'TRIAL_LEDGER_LOG_LEVEL'],
    ['a misspelt setting', ['serve', '--port', '0'], { TRIAL_LEDGER_PASWORD: 'x' }, 'CONFIG.INVALID', 'did you mean TRIAL_LEDGER_PASSWORD'],
    ['a port out of range', ['serve', '--port', '99999'], {}, 'CLI.INVALID_OPTION', '--port must be an integer'],
    ['an unknown option', ['serve', '--prot', '3000'], {}, 'CLI.UNKNOWN_OPTION', '--prot'],
    ['a key file on the store\'s WAL', ['serve', '--port', '0'], { LEDGER_KEY_FILE: join(dir.path, 'config.sqlite-wal') }, 'CONFIG.FILE_CLASH', 'LEDGER_KEY_FILE'],
  ])('given %s, when serve is refused before its log is opened, then stderr is one fatal JSON log line with the code (at any log level, silent included), exit 2', async (_case, args, env, code, words) => {
    const run = await runBinary(['--store', `sqlite:${join(dir.path, 'config.sqlite')}`, ...args], { env: { TRIAL_LEDGER_KEY_DIR: dir.keyDir, TRIAL_LEDGER_LOG_LEVEL: 'silent', ...env } });
    expect(run.status).toBe(2);
    const lines = logLines(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 60, service: 'trial-ledger-api', code, msg: expect.stringContaining(words) });
    expect(lines[0].msg).toMatch(new RegExp(`${code.replace('.', '\\.')}$`));
    expect(new Date(lines[0].time).toISOString()).toBe(lines[0].time);
    expect(run.stdout).toBe('');
  });

  it('given --json and an invalid environment value, when serve is refused, then stdout has the error document and stderr the log line', async () => {
    const run = await runBinary(['--store', `sqlite:${join(dir.path, 'config.sqlite')}`, '--json', 'serve', '--port', '0'], { env: { TRIAL_LEDGER_KEY_DIR: dir.keyDir, TRIAL_LEDGER_LOG_LEVEL: 'loud' } });
    expect(run.status).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'CONFIG.INVALID' } });
    expect(logLines(run.stderr)).toEqual([expect.objectContaining({ level: 60, code: 'CONFIG.INVALID' })]);
  });

  it('given an invalid environment value, when another command is refused, then it stays a plain line for a person at a terminal', async () => {
    const run = await runBinary(['--store', `sqlite:${join(dir.path, 'config.sqlite')}`, 'verify'], { env: { TRIAL_LEDGER_KEY_DIR: dir.keyDir, TRIAL_LEDGER_LOG_LEVEL: 'loud' } });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^trial-ledger: Invalid configuration: TRIAL_LEDGER_LOG_LEVEL .*\[CONFIG\.INVALID\]\n$/);
  });
});
