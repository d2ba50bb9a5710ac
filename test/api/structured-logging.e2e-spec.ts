import request from 'supertest';
import { bodies, enrolledSubject, STUDY, startApiTestApp, type ApiTestApp } from './support/api-test-app';

interface LogLine {
  level: number;
  time: string;
  msg: string;
  req?: { id: string; method: string; url: string; headers: Record<string, string> };
  res?: { statusCode: number; code?: string };
  responseTime?: number;
}

/** What an operator's log collector receives: one JSON document per line. */
describe('API structured logs (nestjs-pino)', () => {
  let api: ApiTestApp;
  const written: string[] = [];
  const lines = (): LogLine[] => written.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine);
  const accessLinesOf = (id: string): LogLine[] => lines().filter((l) => l.req?.id === id && l.res !== undefined);

  beforeAll(async () => {
    api = await startApiTestApp({ logDestination: { write: (chunk: string) => void written.push(chunk) } });
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => api.close());

  it('writes one access line per request, in JSON with a UTC timestamp, keyed by the client correlation id', async () => {
    const response = await request(api.http).get(`/api/v1/studies/${STUDY}/subjects/S001/casebook`).set('Authorization', api.auth('investigator')).set('X-Correlation-Id', 'visit-42.review').expect(200);
    expect(response.headers['x-correlation-id']).toBe('visit-42.review');
    const [line, ...more] = accessLinesOf('visit-42.review');
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 30, req: { method: 'GET', url: `/api/v1/studies/${STUDY}/subjects/S001/casebook` }, res: { statusCode: 200 } });
    expect(line.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(line.msg).toMatch(/^GET \/api\/v1\/studies\/.+\/casebook 200 \d+ ms$/);
    expect(typeof line.responseTime).toBe('number');
  });

  it('without a correlation id, the request gets one: in the response, the access line and the events the command appended', async () => {
    const head = await api.headPosition();
    const response = await request(api.http).post(`/api/v1/studies/${STUDY}/subjects/S001/doses`).set('Authorization', api.auth('coordinator')).send(bodies.dose()).expect(201);
    const id = response.headers['x-correlation-id'];
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect(accessLinesOf(id)).toHaveLength(1);
    const events = await api.eventsAfter(head);
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) expect(event.metadata.correlationId).toBe(id);
  });

  it.each([
    ['quotes and braces', 'x" forged {"level":60,"msg":"admin logged in"}'],
    ['an overlong id', 'a'.repeat(129)],
  ])('replaces a correlation id with %s by a fresh one', async (_what, forged) => {
    const response = await request(api.http).get('/api/docs-json').set('X-Correlation-Id', forged).expect(200);
    const id = response.headers['x-correlation-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(accessLinesOf(id)).toHaveLength(1);
  });

  it('logs refusals as warnings and never a password or a token', async () => {
    const login = await request(api.http).post('/api/v1/auth/login').send({ username: 'mona', password: 'monitor passphrase 0001' }).expect(200);
    const token = login.body.token as string;
    await request(api.http).get('/api/v1/audit-trail').set('Authorization', `Bearer ${token}`).expect(200);
    const refused = await request(api.http).post('/api/v1/auth/login').send({ username: 'mona', password: 'wrong passphrase 0001' }).expect(401);
    const [refusal] = accessLinesOf(refused.headers['x-correlation-id']);
    expect(refusal).toMatchObject({ level: 40, res: { statusCode: 401 } });
    const log = written.join('');
    for (const secret of [token, 'monitor passphrase 0001', 'wrong passphrase 0001', api.tokens.investigator]) expect(log).not.toContain(secret);
    expect(log).toContain('"authorization":"[redacted]"');
  });

  it('names the problem code of every refusal in its access line (field and message), and none on a success', async () => {
    const refused = await request(api.http).post('/api/v1/auth/login').send({ username: 'mona', password: 'wrong passphrase 0002' }).expect(401);
    const [refusal] = accessLinesOf(refused.headers['x-correlation-id']);
    expect(refusal).toMatchObject({ level: 40, res: { statusCode: 401, code: 'AUTH.INVALID_CREDENTIALS' } });
    expect(refusal.msg).toMatch(/^POST \/api\/v1\/auth\/login 401 \d+ ms AUTH\.INVALID_CREDENTIALS$/);
    const unknown = await request(api.http).get('/api/v1/nowhere').expect(404);
    expect(accessLinesOf(unknown.headers['x-correlation-id'])[0]?.res).toEqual({ statusCode: 404, code: 'ROUTE.NOT_FOUND' });
    // A public route (health probes write no access line of their own: see the health tests).
    const ok = await request(api.http).get('/api/docs-json').expect(200);
    expect(accessLinesOf(ok.headers['x-correlation-id'])[0]?.res).toEqual({ statusCode: 200 });
  });

  it('never logs a credential header (Proxy-Authorization, Cookie, X-Api-Key, X-Auth-Token); other headers as sent', async () => {
    const response = await request(api.http)
      .get('/api/docs-json')
      .set('Proxy-Authorization', 'Basic cHJveHktc2VjcmV0')
      .set('Cookie', 'trial_ledger_viewer=cookie-secret')
      .set('X-Api-Key', 'api-key-secret')
      .set('X-Auth-Token', 'auth-token-secret')
      .set('Idempotency-Key', 'visit-7-dose')
      .expect(200);
    const [line] = accessLinesOf(response.headers['x-correlation-id']);
    expect(line.req?.headers).toMatchObject({ 'proxy-authorization': '[redacted]', cookie: '[redacted]', 'x-api-key': '[redacted]', 'x-auth-token': '[redacted]', 'idempotency-key': 'visit-7-dose' });
    for (const secret of ['cHJveHktc2VjcmV0', 'cookie-secret', 'api-key-secret', 'auth-token-secret']) expect(written.join('')).not.toContain(secret);
  });

  it('never logs the value of a query parameter named like a credential, however it is escaped; other parameters as sent', async () => {
    const url = '/api/v1/audit-trail?subject=S001&password=hunter2-query-secret&p%61ssword=escaped-query-secret&Access_Token=tok-query-secret&sessionId';
    const response = await request(api.http).get(url).set('Authorization', api.auth('monitor'));
    const [line, ...more] = accessLinesOf(response.headers['x-correlation-id']);
    expect(more).toEqual([]);
    const log = written.join('');
    for (const secret of ['hunter2-query-secret', 'escaped-query-secret', 'tok-query-secret']) expect(log).not.toContain(secret);
    const logged = '/api/v1/audit-trail?subject=S001&password=[redacted]&p%61ssword=[redacted]&Access_Token=[redacted]&sessionId';
    expect(line.req?.url).toBe(logged);
    expect(line.msg).toContain(`GET ${logged} ${response.status}`);
  });

  it('has no colour codes: every line is plain JSON', () => {
    expect(written.join('')).not.toContain('\u001b[');
    expect(lines().length).toBeGreaterThan(5);
  });
});
