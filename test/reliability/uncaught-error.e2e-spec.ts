import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, sleep, type ServeProcess } from './support/ledger-process';

/**
 * An error nothing in the server catches — thrown outside any request, or a promise rejected with no
 * handler — is raised in a real `serve` process by a preloaded module on SIGUSR2. The process must leave
 * one structured log line with a stable code (and no password the error carried), then exit 1.
 */
describe('serve: an error nothing caught', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tl-uncaught-'));
  const preload = join(dir, 'raise-on-usr2.cjs');
  writeFileSync(
    preload,
    `process.on('SIGUSR2', () => {
  const secret = 'postgres://ledger:s3cret-pw@db.internal/ledger?sslpassword=s3cret-key';
  if (process.env.RAISE === 'rejection') Promise.reject(new Error('unhandled ' + secret));
  else setImmediate(() => { throw new TypeError('uncaught ' + secret); });
});
`,
  );
  const running: ServeProcess[] = [];

  afterAll(() => {
    for (const server of running) server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['an exception thrown outside any request', 'exception', 'uncaughtException', 'TypeError'],
    ['a promise rejected with no handler', 'rejection', 'unhandledRejection', 'Error'],
  ])('%s: one fatal JSON line with INTERNAL.UNCAUGHT, no secret, exit 1', async (_what, raise, origin, type) => {
    const server = await startServe(`sqlite:${join(dir, `${raise}.sqlite`)}`, [], { NODE_OPTIONS: `--require ${preload}`, RAISE: raise });
    running.push(server);
    server.kill('SIGUSR2');
    const exited = await Promise.race([server.exited, sleep(10_000).then(() => null)]);
    expect(exited).toEqual({ code: 1, signal: null });
    const fatal = server
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; code?: string; origin?: string; error?: { type: string; message: string } })
      .filter((line) => line.code === 'INTERNAL.UNCAUGHT');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ level: 60, origin, error: { type } });
    expect(fatal[0].error?.message).toContain('postgres://ledger:redacted@db.internal/ledger?sslpassword=redacted');
    expect(server.stderr()).not.toContain('s3cret');
  }, 60_000);
});
