import request from 'supertest';
import { bodies, enrolledSubject, STUDY, startApiTestApp, type ApiTestApp } from './support/api-test-app';

/** `Accept` (RFC 9110 §12.5.1): a client that takes none of what a route answers is told so before anything runs. */
describe('API edge: Accept', () => {
  let api: ApiTestApp;
  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => api.close());

  const study = `/api/v1/studies/${STUDY}`;
  const screen = `${study}/subjects`;

  const expectNotAcceptable = (response: request.Response, acceptable: string[]): void => {
    expect(response.status).toBe(406);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ code: 'REQUEST.NOT_ACCEPTABLE', status: 406, acceptable });
  };

  it.each([['text/html'], ['text/plain, image/*'], ['application/json;q=0, application/problem+json;q=0, text/html'], ['application/xml'], ['application/json; charset=latin1']])(
    'a read whose Accept (%s) admits neither JSON nor problem+json is 406 REQUEST.NOT_ACCEPTABLE',
    async (accept) => {
      const response = await request(api.http).get(study).set('Authorization', api.auth('investigator')).set('Accept', accept);
      expectNotAcceptable(response, ['application/json', 'application/problem+json']);
    },
  );

  it.each([[undefined], ['application/json'], ['application/problem+json'], ['*/*'], ['application/*'], ['text/html, application/json;q=0.1'], ['APPLICATION/JSON; charset=utf-8']])(
    'a read with Accept %s is answered as before',
    async (accept) => {
      const call = request(api.http).get(study).set('Authorization', api.auth('investigator'));
      const response = await (accept === undefined ? call.unset('Accept') : call.set('Accept', accept));
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
    },
  );

  it('a command with an unacceptable Accept is refused 406 before it runs: nothing is written', async () => {
    const head = await api.headPosition();
    const response = await request(api.http).post(screen).set('Authorization', api.auth('coordinator')).set('Accept', 'text/html').send(bodies.screen('S406'));
    expectNotAcceptable(response, ['application/json', 'application/problem+json']);
    expect(await api.headPosition()).toBe(head);
    await request(api.http).get(`${screen}/S406`).set('Authorization', api.auth('investigator')).expect(404);
  });

  it('… before authentication and the role check too: a role refusal is not recorded for it', async () => {
    const head = await api.headPosition();
    expectNotAcceptable(await request(api.http).post(screen).set('Authorization', api.auth('admin')).set('Accept', 'text/html').send(bodies.screen('S407')), [
      'application/json',
      'application/problem+json',
    ]);
    expectNotAcceptable(await request(api.http).get(study).set('Accept', 'text/html'), ['application/json', 'application/problem+json']);
    expect(await api.headPosition()).toBe(head);
  });

  it('the Kaplan–Meier plot takes its own type (image/svg+xml), and problem+json for its refusals', async () => {
    const plot = `${study}/pfs/km.svg`;
    for (const accept of ['image/svg+xml', 'image/*', 'application/problem+json']) {
      const response = await request(api.http).get(plot).set('Authorization', api.auth('monitor')).set('Accept', accept);
      expect([accept, response.status]).toEqual([accept, 200]);
    }
    expectNotAcceptable(await request(api.http).get(plot).set('Authorization', api.auth('monitor')).set('Accept', 'text/html'), ['image/svg+xml', 'application/problem+json']);
  });

  it('an export takes its own types, and an unacceptable Accept is refused before the export is recorded', async () => {
    const odm = '/api/v1/exports/odm';
    const head = await api.headPosition();
    expectNotAcceptable(await request(api.http).get(odm).set('Authorization', api.auth('monitor')).set('Accept', 'text/csv'), ['application/xml', 'application/problem+json']);
    expectNotAcceptable(await request(api.http).get('/api/v1/exports/audit-trail?format=csv').set('Authorization', api.auth('monitor')).set('Accept', 'application/xml'), [
      'text/csv',
      'application/json',
      'application/problem+json',
    ]);
    expect(await api.headPosition()).toBe(head);
    await request(api.http).get(odm).set('Authorization', api.auth('monitor')).set('Accept', 'application/xml').expect(200);
    await request(api.http).get('/api/v1/exports/audit-trail?format=csv').set('Authorization', api.auth('monitor')).set('Accept', 'text/csv').expect(200);
  });

  it('the viewer is not concerned: its pages answer a browser\'s Accept (and any other) as before', async () => {
    for (const accept of ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'application/json']) {
      const response = await request(api.http).get('/viewer/login').set('Accept', accept).expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
    }
  });

  it('the OpenAPI document lists the 406 of a read and of a command', async () => {
    const { body } = await request(api.http).get('/api/docs-json').expect(200);
    expect(Object.keys(body.paths['/api/v1/studies/{studyId}'].get.responses)).toContain('406');
    expect(Object.keys(body.paths['/api/v1/studies/{studyId}/subjects'].post.responses)).toContain('406');
  });

  it('neither are the health probes nor the OpenAPI document', async () => {
    await request(api.http).get('/health/live').set('Accept', 'text/plain').expect(200);
    await request(api.http).get('/api/docs-json').set('Accept', 'text/html').expect(200);
  });
});
