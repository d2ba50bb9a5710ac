import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
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

  it('an error nothing caught while a request is in flight: the fatal line names its correlation id and has the stack as a field; the client gets no stack', async () => {
    const server = await startServe(`sqlite:${join(dir, 'in-flight.sqlite')}`, [], { NODE_OPTIONS: `--require ${preload}`, RAISE: 'exception' });
    running.push(server);
    const { hostname, port } = new URL(server.url);
    // A request whose body is still arriving: received and routed, not yet answered.
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\nX-Correlation-Id: held-request-1\r\n\r\n{"user');
    await sleep(300);
    server.kill('SIGUSR2');
    const exited = await Promise.race([server.exited, sleep(10_000).then(() => null)]);
    expect(exited).toEqual({ code: 1, signal: null });
    await Promise.race([closed, sleep(2_000)]);
    expect(answer).not.toMatch(/\bat \S+|TypeError|uncaught/);
    const fatal = server
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { code?: string; requestsInFlight?: string[]; error?: { stack?: string } })
      .filter((line) => line.code === 'INTERNAL.UNCAUGHT');
    expect(fatal).toEqual([expect.objectContaining({ requestsInFlight: ['held-request-1'], error: expect.objectContaining({ stack: expect.stringMatching(/^TypeError: uncaught .*\n\s+at /) }) })]);
  }, 60_000);
});
