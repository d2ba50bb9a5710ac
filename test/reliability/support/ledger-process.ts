import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
export const BIN = resolve(ROOT, 'bin/trial-ledger.js');
export const STUDY = 'LANR-HGNET-01';
export const PASSWORD = 'correct horse battery staple 42';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * stderr once it matches `pattern`, or as it is after `ms`: the API's log is written asynchronously
 * (pino's destination), so a line may arrive after the response or the ready line that followed it.
 */
export const stderrOnceMatching = async (server: { stderr(): string }, pattern: RegExp | string, ms = 5_000): Promise<string> => {
  const matches = (): boolean => (typeof pattern === 'string' ? server.stderr().includes(pattern) : pattern.test(server.stderr()));
  for (const until = Date.now() + ms; !matches() && Date.now() < until; ) await sleep(25);
  return server.stderr();
};

/** `trial-ledger serve` as a user runs it: the built binary in its own process, on 127.0.0.1 and a free port. */
export interface ServeProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * `fileSizeLimitKb`: the server runs under `ulimit -f` (RLIMIT_FSIZE), so a write past that size fails with
 * EFBIG (Node ignores SIGXFSZ): storage that refuses writes while the disk has room, an I/O error to SQLite.
 */
export const startServe = async (
  store: string,
  extraArgs: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
  limits: { fileSizeLimitKb?: number } = {},
): Promise<ServeProcess> => {
  // No automatic checkpoints unless the test asks for them (`--checkpoint-every N` among `extraArgs`).
  const checkpointArgs = extraArgs.includes('--checkpoint-every') ? [] : ['--checkpoint-every', '0'];
  const args = [BIN, '--store', store, '--json', 'serve', '--port', '0', ...checkpointArgs, ...extraArgs];
  const [command, commandArgs] =
    limits.fileSizeLimitKb === undefined
      ? [process.execPath, args]
      : ['/bin/sh', ['-c', `ulimit -f ${limits.fileSizeLimitKb} && exec "$0" "$@"`, process.execPath, ...args]];
  const child = spawn(command, commandArgs, {
    stdio: ['ignore', 'pipe', 'pipe'],
    // The crash rounds log in again after every restart; the password-route rate limit is not under test here.
    // Errors are logged (the fault tests read them from stderr, which is kept, not shown).
    env: { ...process.env, TRIAL_LEDGER_THROTTLE_PER_USER: '10000', TRIAL_LEDGER_THROTTLE_PER_ADDRESS: '10000', TRIAL_LEDGER_LOG_LEVEL: 'error', ...env },
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const ready = await new Promise<{ url: string }>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within 60 s: ${err}`)), 60_000);
    const check = (): void => {
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.stdout?.off('data', check);
      const line = JSON.parse(out.slice(0, nl)) as { url?: string };
      // Anything but the ready line (an error as JSON) is reported once the process has exited.
      if (typeof line.url === 'string') resolveReady({ url: line.url });
    };
    child.stdout?.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${String(code ?? signal)}) before it was ready: ${out}${err}`));
    });
  });
  return {
    url: ready.url,
    child,
    stderr: () => err,
    exited,
    kill: (signal: NodeJS.Signals = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
};

export interface CommandOutcome {
  readonly status: number;
  readonly code?: string;
  readonly retryAfter?: string | null;
}

/**
 * A client of the API as a site would run one: logs in, screens subjects with an Idempotency-Key, and
 * logs in again when a restarted server no longer knows its session.
 */
export class LedgerClient {
  private token: string | null = null;

  constructor(
    public url: string,
    private readonly username = 'coordinator',
  ) {}

  private async login(): Promise<string> {
    const response = await fetch(`${this.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: this.username, password: PASSWORD }),
      signal: AbortSignal.timeout(15_000),
    });
    if (response.status !== 200) throw new Error(`login as ${this.username}: ${response.status} ${await response.text()}`);
    this.token = ((await response.json()) as { token: string }).token;
    return this.token;
  }

  /** POST with the bearer token; one fresh login on 401 (the server forgot its sessions when it restarted). */
  async post(path: string, body: object, idempotencyKey?: string): Promise<CommandOutcome> {
    for (let attempt = 0; ; attempt += 1) {
      const token = this.token ?? (await this.login());
      const response = await fetch(`${this.url}${path}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${token}`,
          ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      const problem = response.headers.get('content-type')?.includes('json') ? ((await response.json()) as { code?: string }) : (await response.text(), {});
      if (response.status === 401 && attempt === 0) {
        this.token = null;
        continue;
      }
      return { status: response.status, code: problem.code, retryAfter: response.headers.get('retry-after') };
    }
  }

  /** GET with the bearer token: status and parsed JSON body. */
  async get(path: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.url}${path}`, {
      headers: { Authorization: `Bearer ${this.token ?? (await this.login())}` },
      signal: AbortSignal.timeout(15_000),
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  }

  screen(subjectId: string, idempotencyKey?: string): Promise<CommandOutcome> {
    return this.post(`/api/v1/studies/${STUDY}/subjects`, screenBody(subjectId), idempotencyKey);
  }
}

export const screenBody = (subjectId: string): object => ({ subjectId, screeningDate: '2026-03-02', consentDate: '2026-03-01', sex: 'F', birthYear: 1961 });
