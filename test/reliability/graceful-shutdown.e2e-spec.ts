import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, stderrOnceMatching, type ServeProcess, sleep } from './support/ledger-process';

/** A raw TCP client: what it received, and when the server closed it (ms after `opened`). */
interface RawClient {
  readonly socket: Socket;
  received(): string;
  readonly closedAt: Promise<number>;
}

const rawClient = async (url: string): Promise<RawClient> => {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const opened = Date.now();
  let data = '';
  socket.on('data', (d: Buffer) => (data += d.toString()));
  socket.on('error', () => undefined);
  const closedAt = new Promise<number>((r) => socket.once('close', () => r(Date.now() - opened)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => data, closedAt };
};

const LOGIN_BODY = JSON.stringify({ username: 'nobody', password: 'not a password at all' });
const loginHead = (length = Buffer.byteLength(LOGIN_BODY)): string =>
  `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

const exitsWithin = async (server: ServeProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; tookMs: number }> => {
  const start = Date.now();
  const outcome = await Promise.race([server.exited, sleep(ms).then(() => null)]);
  if (!outcome) throw new Error(`serve still running ${ms} ms after SIGTERM; stderr: ${server.stderr()}`);
  return { ...outcome, tookMs: Date.now() - start };
};

describe('serve: graceful drain, request timeouts and the connection cap (real process, raw sockets)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trial-ledger-drain-'));
  const running: ServeProcess[] = [];
  const start = async (name: string, args: string[] = []): Promise<ServeProcess> => {
    // At info: the lines of the stop are read below.
    const server = await startServe(`sqlite:${join(dir, `${name}.sqlite`)}`, args, { TRIAL_LEDGER_LOG_LEVEL: 'info' });
    running.push(server);
    return server;
  };

  afterAll(async () => {
    for (const server of running) server.kill('SIGKILL');
    await Promise.all(running.map((s) => s.exited));
    rmSync(dir, { recursive: true, force: true });
  });

  it('given a request whose body is still arriving, when SIGTERM comes, then it is answered in full and the process exits 0', async () => {
    // A drain long enough for the login's password check on a loaded machine: this case is about the answer, not the deadline.
    const server = await start('inflight', ['--drain-timeout', '30']);
    const client = await rawClient(server.url);
    client.socket.write(loginHead());
    client.socket.write(LOGIN_BODY.slice(0, 10));
    await sleep(300);
    server.kill('SIGTERM');
    await sleep(700);
    // New connections are refused while the drain goes on
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    client.socket.write(LOGIN_BODY.slice(10));
    const exit = await exitsWithin(server, 35_000);
    expect(client.received()).toMatch(/^HTTP\/1\.1 401 /);
    expect(client.received()).toContain('AUTH.INVALID_CREDENTIALS');
    expect(exit.code).toBe(0);
    expect(server.stderr()).toContain('SIGTERM received');
    expect(server.stderr()).toContain('stopped; the store is closed');
  });

  it('given a request in flight, when SIGHUP comes (the terminal closed, or a reload asked for), then it stops as on SIGTERM: the request answered, the store closed, exit 0', async () => {
    const server = await start('hangup');
    const client = await rawClient(server.url);
    client.socket.write(loginHead());
    client.socket.write(LOGIN_BODY.slice(0, 10));
    await sleep(300);
    server.kill('SIGHUP');
    await sleep(500);
    client.socket.write(LOGIN_BODY.slice(10));
    const exit = await exitsWithin(server, 35_000);
    expect([exit.code, exit.signal]).toEqual([0, null]);
    expect(client.received()).toMatch(/^HTTP\/1\.1 401 /);
    expect(server.stderr()).toContain('SIGHUP received');
    expect(server.stderr()).toContain('stopped; the store is closed');
  });

  it('given a half-sent request and an idle keep-alive connection, when SIGTERM comes, then neither keeps the process alive', async () => {
    const server = await start('halfsent');
    const half = await rawClient(server.url);
    half.socket.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty');
    const idle = await rawClient(server.url);
    idle.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await sleep(500);
    expect(idle.received()).toMatch(/^HTTP\/1\.1 200 /);
    server.kill('SIGTERM');
    const exit = await exitsWithin(server, 3_000);
    expect(exit.code).toBe(0);
    expect(server.stderr()).toContain('stopped; the store is closed');
    expect(await half.closedAt).toBeGreaterThan(0);
    expect(await idle.closedAt).toBeGreaterThan(0);
  });

  it('given a body that never completes, when SIGTERM comes, then at the drain deadline it is refused 503 SERVE.SHUTTING_DOWN, the connection closed, and the process exits 0', async () => {
    const server = await start('deadline', ['--drain-timeout', '1.5']);
    const client = await rawClient(server.url);
    client.socket.write(loginHead(1000));
    client.socket.write('{"username":');
    await sleep(300);
    server.kill('SIGTERM');
    const exit = await exitsWithin(server, 6_000);
    expect(exit.code).toBe(0);
    expect(exit.tookMs).toBeGreaterThanOrEqual(1_000);
    expect(server.stderr()).toContain('1 unfinished request(s) cut off');
    expect(server.stderr()).toContain('stopped; the store is closed');
    // Its body never arrived, so nothing of it was decided or recorded: it is told so, not just cut off.
    await client.closedAt;
    const [head, body] = client.received().split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 503 /);
    expect(head).toMatch(/\r\ncontent-type: application\/problem\+json/i);
    expect(head).toMatch(/\r\nretry-after: 5/i);
    expect(head).toMatch(/\r\nconnection: close/i);
    expect(JSON.parse(body)).toMatchObject({ status: 503, code: 'SERVE.SHUTTING_DOWN', instance: '/api/v1/auth/login' });
    // and its access line names the code, as every error line does
    const access = server.stderr().split('\n').filter((line) => line.includes('"responseTime"')).map((line) => JSON.parse(line) as { code?: string; res: { statusCode: number } });
    expect(access).toContainEqual(expect.objectContaining({ code: 'SERVE.SHUTTING_DOWN', res: { statusCode: 503, code: 'SERVE.SHUTTING_DOWN' } }));
  });

  it('a body trickled one byte every 200 ms is cut off at the request timeout (408), not after Node’s 300 s', async () => {
    const server = await start('trickle', ['--request-timeout', '2']);
    const client = await rawClient(server.url);
    client.socket.write(loginHead(1000));
    const trickle = setInterval(() => client.socket.writable && client.socket.write('x'), 200);
    const closedAfter = await client.closedAt;
    clearInterval(trickle);
    expect(closedAfter).toBeLessThan(5_000);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    // The server itself is unharmed
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('a client cut off by Node before any route (headers never finished, a request it cannot parse) leaves one warning line with its code, as every refusal does', async () => {
    const server = await startServe(`sqlite:${join(dir, 'cut-off.sqlite')}`, ['--request-timeout', '2'], { TRIAL_LEDGER_LOG_LEVEL: 'warn' });
    running.push(server);
    const slow = await rawClient(server.url);
    slow.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    const garbled = await rawClient(server.url);
    garbled.socket.write('NOT-A-METHOD / HTTP/1.1\r\n\r\n');
    expect(await slow.closedAt).toBeLessThan(5_000);
    await garbled.closedAt;
    // Their statuses, each with its problem body
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 [\s\S]*"code":"REQUEST\.TIMEOUT"/);
    expect(garbled.received()).toMatch(/^HTTP\/1\.1 400 [\s\S]*"code":"REQUEST\.MALFORMED"/);
    const log = await stderrOnceMatching(server, /REQUEST\.TIMEOUT[\s\S]*REQUEST\.MALFORMED|REQUEST\.MALFORMED[\s\S]*REQUEST\.TIMEOUT/);
    const lines = log.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { level: number; res?: { statusCode: number; code: string }; remoteAddress?: string });
    const cutOff = lines.filter((line) => line.res?.code === 'REQUEST.TIMEOUT' || line.res?.code === 'REQUEST.MALFORMED');
    expect(cutOff.map((line) => [line.level, line.res?.statusCode, line.res?.code, line.remoteAddress]).sort()).toEqual([
      [40, 400, 'REQUEST.MALFORMED', '127.0.0.1'],
      [40, 408, 'REQUEST.TIMEOUT', '127.0.0.1'],
    ]);
  });

  it('refuses connections beyond --max-connections at accept, and accepts again once they close', async () => {
    const server = await start('capped', ['--max-connections', '3']);
    const held = await Promise.all([1, 2, 3].map(() => rawClient(server.url)));
    await sleep(200);
    const fourth = await rawClient(server.url);
    fourth.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await fourth.closedAt).toBeLessThan(2_000);
    expect(fourth.received()).toBe('');
    for (const client of held) client.socket.destroy();
    await sleep(300);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('refuses a bad --drain-timeout or --max-connections with exit status 2', async () => {
    await expect(start('bad-drain', ['--drain-timeout', '-1'])).rejects.toThrow(/serve exited \(2\)[\s\S]*--drain-timeout must be a number of seconds/);
    await expect(start('bad-cap', ['--max-connections', '0x10'])).rejects.toThrow(/serve exited \(2\)[\s\S]*--max-connections must be a whole number/);
  });
});
