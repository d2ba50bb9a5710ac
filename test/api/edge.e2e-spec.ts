import request from 'supertest';
import { startApiTestApp, type ApiTestApp } from './support/api-test-app';

describe('API edge: health, OpenAPI and unreadable requests', () => {
  let api: ApiTestApp;
  beforeAll(async () => {
    api = await startApiTestApp({ bodyLimit: '2kb' });
  });
  afterAll(async () => api.close());

  it('when /health is probed, then it reports the store reachable and the read models caught up', async () => {
    const response = await request(api.http).get('/health').expect(200);
    expect(response.body).toMatchObject({ status: 'ok', info: { store: { status: 'up' }, readModels: { status: 'up' } } });
  });

  it('serves the OpenAPI document at /api/docs-json and the UI at /api/docs', async () => {
    const json = await request(api.http).get('/api/docs-json').expect(200);
    expect(json.body.openapi).toMatch(/^3\./);
    expect(json.body.paths['/health']).toBeDefined();
    await request(api.http).get('/api/docs').expect(200).expect('content-type', /html/);
  });

  it('when the body is not valid JSON, then 400 REQUEST.MALFORMED_JSON as a problem and nothing is written', async () => {
    const head = await api.headPosition();
    const response = await request(api.http).post('/api/v1/studies').set('content-type', 'application/json').send('{"protocol": ').expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      type: 'https://trial-ledger.dev/problems/request-malformed-json',
      title: 'Request malformed json',
      status: 400,
      code: 'REQUEST.MALFORMED_JSON',
      instance: '/api/v1/studies',
    });
    expect(typeof response.body.detail).toBe('string');
    expect(await api.headPosition()).toBe(head);
  });

  it('when the body exceeds the limit, then 413 REQUEST.TOO_LARGE and nothing is written', async () => {
    const head = await api.headPosition();
    const response = await request(api.http).post('/api/v1/studies').set('Authorization', api.auth('admin')).send({ padding: 'x'.repeat(4096) }).expect(413);
    expect(response.body.code).toBe('REQUEST.TOO_LARGE');
    expect(await api.headPosition()).toBe(head);
  });

  it('when the body nests arrays far deeper than any command, then 400 REQUEST.TOO_DEEP (not a 500) and nothing is written', async () => {
    const head = await api.headPosition();
    const response = await request(api.http)
      .post('/api/v1/studies/LANR-HGNET-01/subjects')
      .set('Authorization', api.auth('investigator'))
      .set('content-type', 'application/json')
      .send(`${'['.repeat(1000)}${']'.repeat(1000)}`)
      .expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ code: 'REQUEST.TOO_DEEP', status: 400, maxDepth: 32 });
    expect(await api.headPosition()).toBe(head);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('when the body carries a %s key, then 400 REQUEST.FORBIDDEN_KEY instead of the key being silently dropped', async (key) => {
    const head = await api.headPosition();
    const body = `{"subjectId":"QA-PROTO-1","screeningDate":"2026-01-05","consentDate":"2026-01-05","sex":"F","birthYear":1961,"${key}":{"isAdmin":true}}`;
    const response = await request(api.http)
      .post('/api/v1/studies/LANR-HGNET-01/subjects')
      .set('Authorization', api.auth('investigator'))
      .set('content-type', 'application/json')
      .send(body)
      .expect(400);
    expect(response.body).toMatchObject({ code: 'REQUEST.FORBIDDEN_KEY', pointer: `/${key}` });
    expect(await api.headPosition()).toBe(head);
  });

  // The DTO transformer skips a key whose name is a method every object inherits, so no whitelist sees it.
  it.each(['toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'])('when the body carries a %s key (inherited by every object), then 400 REQUEST.FORBIDDEN_KEY instead of the key being silently dropped', async (key) => {
    const head = await api.headPosition();
    const body = { subjectId: 'QA-PROTO-2', screeningDate: '2026-01-05', consentDate: '2026-01-05', sex: 'F', birthYear: 1961, [key]: 'x' };
    const response = await request(api.http).post('/api/v1/studies/LANR-HGNET-01/subjects').set('Authorization', api.auth('investigator')).send(body).expect(400);
    expect(response.body).toMatchObject({ code: 'REQUEST.FORBIDDEN_KEY', pointer: `/${key}` });
    expect(await api.headPosition()).toBe(head);
  });

  // JSON.parse keeps the last of two equal names: the command recorded would not be the one a proxy,
  // a log or the client's own copy reads first.
  it.each([
    ['a top-level field', '{"subjectId":"QADUP1","subjectId":"QADUP2","screeningDate":"2026-01-05","consentDate":"2026-01-05","sex":"F","birthYear":1961}', '/subjectId'],
    ['a field spelled once with an escape', '{"subjectId":"QADUP3","screeningDate":"2026-01-05","consentDate":"2026-01-05","sex":"F","s\\u0065x":"M","birthYear":1961}', '/sex'],
  ])('when the body names %s twice, then 400 REQUEST.DUPLICATE_KEY with its pointer and nothing is written', async (_what, body, pointer) => {
    const head = await api.headPosition();
    const response = await request(api.http)
      .post('/api/v1/studies/LANR-HGNET-01/subjects')
      .set('Authorization', api.auth('investigator'))
      .set('content-type', 'application/json')
      .send(body)
      .expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ code: 'REQUEST.DUPLICATE_KEY', status: 400, pointer });
    expect(await api.headPosition()).toBe(head);
  });

  it.each([
    ['registration', '/api/v1/studies', '{"protocol":{"studyId":"DUPKEY-01","version":1,"targetEnrollment":28,"targetEnrollment":280}}', '/protocol/targetEnrollment'],
    ['amendment', '/api/v1/studies/LANR-HGNET-01/protocol-amendments', '{"reason":"dose","protocol":{"studyId":"LANR-HGNET-01","version":2,"treatment":{"doseMg":120,"d\\u006fseMg":12}}}', '/protocol/treatment/doseMg'],
  ])('when a protocol %s names one member of the document twice, then 400 REQUEST.DUPLICATE_KEY with its pointer inside the protocol and nothing is written', async (_what, path, body, pointer) => {
    const head = await api.headPosition();
    const response = await request(api.http).post(path).set('Authorization', api.auth('admin')).set('content-type', 'application/json').send(body).expect(400);
    expect(response.body).toMatchObject({ code: 'REQUEST.DUPLICATE_KEY', pointer });
    expect(await api.headPosition()).toBe(head);
  });

  it('when the body is not JSON at all, then 415 REQUEST.UNSUPPORTED_MEDIA_TYPE', async () => {
    const response = await request(api.http).post('/api/v1/studies').set('content-type', 'text/plain').send('hello').expect(415);
    expect(response.body.code).toBe('REQUEST.UNSUPPORTED_MEDIA_TYPE');
  });

  it('sends no automatic body-hash ETag: an ETag is always a stream version', async () => {
    const problem = await request(api.http).get('/api/v1/studies/NO-SUCH-STUDY').set('authorization', `Bearer ${api.tokens.monitor}`);
    expect(problem.headers.etag).toBeUndefined();
    const health = await request(api.http).get('/health').expect(200);
    expect(health.headers.etag).toBeUndefined();
  });

  it('an unknown route is a 404 problem too', async () => {
    const response = await request(api.http).get('/api/v1/nowhere').expect(404);
    expect(response.body).toMatchObject({ code: 'ROUTE.NOT_FOUND', status: 404, instance: '/api/v1/nowhere' });
  });
});
