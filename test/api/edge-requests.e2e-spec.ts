import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { VIEWER_CSP } from '../../apps/api/src/viewer/viewer.module';
import { startApiTestApp, STUDY, type ApiTestApp } from './support/api-test-app';

/**
 * Requests the HTTP framework itself could answer in its own way (router refusals, bodies it would not
 * read, encodings, charsets): each is answered by the API's rules, as a problem with the edge's headers.
 */
describe('API edge: requests the framework could answer on its own', () => {
  let api: ApiTestApp;
  beforeAll(async () => {
    api = await startApiTestApp();
  });
  afterAll(async () => api.close());

  const expectEdgeHeaders = (headers: Record<string, string>): void => {
    expect(headers['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['x-correlation-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(headers['x-powered-by']).toBeUndefined();
  };

  it('a path the router cannot decode (%zz) is a 400 REQUEST.BAD_REQUEST problem with the security headers', async () => {
    const response = await request(api.http).get(`/api/v1/studies/%zz`).expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ code: 'REQUEST.BAD_REQUEST', status: 400 });
    expectEdgeHeaders(response.headers);
  });

  it('an unknown route is a 404 ROUTE.NOT_FOUND problem with the security headers and a correlation id', async () => {
    const response = await request(api.http).get('/api/v1/nowhere/at/all').expect(404);
    expect(response.body).toMatchObject({ code: 'ROUTE.NOT_FOUND', instance: '/api/v1/nowhere/at/all' });
    expectEdgeHeaders(response.headers);
  });

  it('an unknown page under /viewer gets the viewer policy, not the API one', async () => {
    const response = await request(api.http).get('/viewer/nowhere').expect(404);
    expect(response.headers['content-security-policy']).toBe(VIEWER_CSP);
  });

  it('a viewer page reached through a percent-encoded path (/%76iewer/login) still gets the viewer policy', async () => {
    // The router decodes the path before matching; the policy follows the route it matched, not the text typed.
    for (const path of ['/%76iewer/login', '/%56IEWER/login', '/viewer/%6cogin']) {
      const response = await request(api.http).get(path).expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.headers['content-security-policy']).toBe(VIEWER_CSP);
    }
  });

  it('a form posted to the sign-in page through a percent-encoded path is read as the viewer form, not refused as non-JSON', async () => {
    const response = await request(api.http).post('/%76iewer/login').type('form').send({ username: 'ivan', password: 'x', _csrf: 'forged' }).expect(403);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toBe(VIEWER_CSP);
  });

  it('signing in to the viewer sets each cookie once: the pre-session cleared, then the session', async () => {
    const form = await request(api.http).get('/viewer/login').expect(200);
    const pre = ([] as string[]).concat(form.headers['set-cookie'] ?? []).map((cookie) => cookie.split(';')[0]);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1];
    const response = await request(api.http)
      .post('/viewer/login')
      .set('Cookie', pre.join('; '))
      .type('form')
      .send({ username: 'ivan', password: 'investigator passphrase 1', _csrf: csrf })
      .expect(303);
    expect(response.headers.location).toBe('/viewer');
    const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []).map((cookie) => cookie.split(';')[0]);
    expect(cookies).toEqual(['tl_viewer_pre=', expect.stringMatching(/^tl_viewer_session=\S+$/)]);
  });

  it('paths match case-insensitively and with a trailing slash; HEAD answers a GET route without a body', async () => {
    await request(api.http).get('/HEALTH/').expect(200);
    const head = await request(api.http).head('/health').expect(200);
    expect(head.text).toBeUndefined();
    expectEdgeHeaders(head.headers);
  });

  it('a non-JSON body sent with a GET is refused 415 REQUEST.UNSUPPORTED_MEDIA_TYPE, as any other', async () => {
    const response = await request(api.http).get(`/api/v1/studies/${STUDY}`).set('Authorization', api.auth('admin')).set('content-type', 'text/plain').send('hello').expect(415);
    expect(response.body.code).toBe('REQUEST.UNSUPPORTED_MEDIA_TYPE');
  });

  it.each([
    ['a charset JSON does not use', 'REQUEST.UNSUPPORTED_CHARSET', { 'content-type': 'application/json; charset=latin1' }],
    ['an unknown Content-Encoding', 'REQUEST.UNSUPPORTED_ENCODING', { 'content-type': 'application/json', 'content-encoding': 'x-unknown' }],
  ])('a body in %s is refused 415 %s and nothing is written', async (_what, code, headers) => {
    const head = await api.headPosition();
    const response = await request(api.http).post('/api/v1/studies').set('Authorization', api.auth('admin')).set(headers).send('{}').expect(415);
    expect(response.body.code).toBe(code);
    expect(await api.headPosition()).toBe(head);
  });

  it('a gzip-encoded JSON body is inflated and read like any other', async () => {
    const body = gzipSync(JSON.stringify({ username: 'ivan', password: 'investigator passphrase 1' }));
    const response = await request(api.http).post('/api/v1/auth/login').set({ 'content-type': 'application/json', 'content-encoding': 'gzip' })
      // As bytes: superagent would otherwise serialise the Buffer itself as JSON.
      .serialize(() => body as unknown as string)
      .send({})
      .expect(200);
    expect(typeof response.body.token).toBe('string');
  });

  it('a path parameter far longer than any id reaches validation (a problem of the API, not a 414 of the router)', async () => {
    const response = await request(api.http).get(`/api/v1/studies/${'A'.repeat(3000)}`).set('Authorization', api.auth('admin'));
    expect(response.status).not.toBe(414);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.code).not.toMatch(/^FST_/);
  });

  describe('a header the request may carry once, sent twice (Node would keep the first, a proxy may read the last)', () => {
    beforeAll(async () => {
      await request(api.http).post('/api/v1/studies').set('Authorization', api.auth('admin')).send({});
    });

    /** Two header lines of one name (superagent sends an array so; its types allow that for Cookie only). */
    const twice = (first: string, second: string): string => [first, second] as unknown as string;

    it('two Authorization headers are 400 REQUEST.DUPLICATE_HEADER naming it, for neither user, and nothing is written', async () => {
      const head = await api.headPosition();
      const read = await request(api.http).get(`/api/v1/studies/${STUDY}`).set('Authorization', twice(api.auth('investigator'), api.auth('admin')));
      expect([read.status, read.body.code, read.body.header]).toEqual([400, 'REQUEST.DUPLICATE_HEADER', 'authorization']);
      expect(read.headers['content-type']).toMatch(/^application\/problem\+json/);
      expectEdgeHeaders(read.headers);
      const command = await request(api.http).post(`/api/v1/studies/${STUDY}/subjects`).set('Authorization', twice(api.auth('coordinator'), api.auth('monitor')))
        .send({ subjectId: 'D001', screeningDate: '2026-03-02', consentDate: '2026-03-01', sex: 'F', birthYear: 1961 });
      expect([command.status, command.body.code]).toEqual([400, 'REQUEST.DUPLICATE_HEADER']);
      expect(await api.headPosition()).toBe(head);
    });

    /** A login sent with the given header lines as written (superagent cannot send Host or Content-Type twice). */
    const rawLogin = async (headerLines: string): Promise<{ status: number; body: { code?: string; header?: string } }> => {
      const server = (api.http as Server).listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        const body = JSON.stringify({ username: 'ivan', password: 'investigator passphrase 1' });
        const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
        socket.write(`POST /api/v1/auth/login HTTP/1.1\r\n${headerLines}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
        let text = '';
        for await (const chunk of socket) text += String(chunk);
        return { status: Number(text.slice(9, 12)), body: JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { code?: string; header?: string } };
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    };

    it.each([
      ['content-type', 'Host: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Type: text/plain\r\n'],
      ['host', 'Host: 127.0.0.1\r\nHost: elsewhere.example\r\nContent-Type: application/json\r\n'],
    ])('two %s headers are 400 REQUEST.DUPLICATE_HEADER naming it', async (header, lines) => {
      const response = await rawLogin(lines);
      expect([response.status, response.body.code, response.body.header]).toEqual([400, 'REQUEST.DUPLICATE_HEADER', header]);
      // the same login with the header once is read as before
      expect((await rawLogin('Host: 127.0.0.1\r\nContent-Type: application/json\r\n')).status).toBe(200);
    });

    it('a header that may be repeated (Accept) is read as one list, as before', async () => {
      await request(api.http).get('/health/live').set('Accept', twice('application/json', 'text/plain')).expect(200);
    });
  });
});
