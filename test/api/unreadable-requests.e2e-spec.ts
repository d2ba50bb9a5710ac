import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import request from 'supertest';
import { bodies, startApiTestApp, STUDY, type ApiTestApp } from './support/api-test-app';

/**
 * Bytes Node's HTTP parser cannot read as a request: no route, hook or filter ever sees them, so the
 * answer is written on the socket by the server's `clientError` listener. It is still a problem.
 */
describe('API edge: requests Node cannot parse', () => {
  let api: ApiTestApp;
  let port: number;
  beforeAll(async () => {
    api = await startApiTestApp();
    const server = (api.http as Server).listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => (api.http as Server).close(resolve));
    await api.close();
  });

  /** Sends the bytes as written and reads everything the server answers until it closes the connection. */
  const raw = async (bytes: string): Promise<{ status: number; headers: Record<string, string>; body: string }> => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(bytes);
    let text = '';
    for await (const chunk of socket) text += String(chunk);
    const [head, ...rest] = text.split('\r\n\r\n');
    const [statusLine, ...headerLines] = head.split('\r\n');
    const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    return { status: Number(statusLine.slice(9, 12)), headers, body: rest.join('\r\n\r\n') };
  };

  it.each([
    ['a malformed request line', 400, 'REQUEST.MALFORMED', 'NOT A REQUEST LINE\r\n\r\n'],
    ['an unknown method', 400, 'REQUEST.MALFORMED', 'BREW /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'],
    ['a header name with a space in it', 400, 'REQUEST.MALFORMED', 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header: x\r\n\r\n'],
    ['a header line without a colon', 400, 'REQUEST.MALFORMED', 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nno-colon-here\r\n\r\n'],
    ['Content-Length twice', 400, 'REQUEST.MALFORMED', 'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
    ['a chunked body with a chunk size that is no number', 400, 'REQUEST.MALFORMED', 'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n'],
    ['headers over Node\'s 16 KiB limit', 431, 'REQUEST.HEADERS_TOO_LARGE', `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`],
  ])('%s is answered %d %s as an RFC 9457 problem, nothing is written and the server keeps serving', async (_what, status, code, bytes) => {
    const head = await api.headPosition();
    const response = await raw(bytes);
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.headers['content-length']).toBe(String(Buffer.byteLength(response.body)));
    expect(response.headers.connection).toBe('close');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(response.body)).toEqual({
      type: `https://trial-ledger.dev/problems/${code.toLowerCase().replace(/[._]+/g, '-')}`,
      title: expect.any(String),
      status,
      detail: expect.any(String),
      code,
    });
    expect(await api.headPosition()).toBe(head);
    await request(api.http).get('/health/live').expect(200);
  });

  it('a malformed request after a good one on the same (kept-alive) connection is answered too', async () => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += String(chunk)));
    socket.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const answered = (): boolean => {
      const end = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(text)?.[1];
      return end >= 0 && length !== undefined && text.length >= end + 4 + Number(length);
    };
    for (let waited = 0; !answered() && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    const first = text.length;
    socket.write('NOT A REQUEST LINE\r\n\r\n');
    await once(socket, 'close');
    expect(text.slice(first)).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\n\r\n\{.*"code":"REQUEST\.MALFORMED"/);
  });

  it('a malformed request pipelined behind a command is answered after the command\'s own answer, not in its place', async () => {
    await request(api.http).post('/api/v1/studies').set('Authorization', api.auth('admin')).send({}).expect(201);
    const head = await api.headPosition();
    const body = JSON.stringify(bodies.screen('S777'));
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += String(chunk)));
    // One write: the command, then bytes no parser reads as a request, before the command is answered.
    socket.write(
      `POST /api/v1/studies/${STUDY}/subjects HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${api.auth('coordinator')}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` +
        'GET / HTTP/1.1\r\nHost x\r\n\r\n',
    );
    await once(socket, 'close');
    // The command was recorded, and its client is told so first; the bytes after it get their 400 after that answer.
    expect(await api.headPosition()).toBeGreaterThan(head);
    expect(text).toMatch(/^HTTP\/1\.1 201 /);
    expect(text.slice(1)).toMatch(/HTTP\/1\.1 400 Bad Request\r\n[\s\S]*"code":"REQUEST\.MALFORMED"/);
  });
});
