import request from 'supertest';
import { bodies, enrolledSubject, STUDY, startApiTestApp, type ApiTestApp } from './support/api-test-app';

/**
 * `If-None-Match` and `If-Unmodified-Since` on commands (RFC 9110 §13.1.2, §13.1.4): `If-None-Match: *` on a route that
 * creates its resource is "create only if absent"; every other use is refused rather than ignored.
 */
describe('API commands: If-None-Match and If-Unmodified-Since', () => {
  let api: ApiTestApp;
  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => api.close());

  const subjects = `/api/v1/studies/${STUDY}/subjects`;
  const newUser = (username: string) => ({ username, fullName: 'New Comer', role: 'monitor', password: 'a long enough passphrase 42' });

  const refused = async (send: () => request.Test, status: number, code: string): Promise<request.Response> => {
    const head = await api.headPosition();
    const response = await send();
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(await api.headPosition()).toBe(head);
    return response;
  };

  describe('If-None-Match: * (create only if absent)', () => {
    it('screens a subject not yet screened, and refuses the same id again 412, not 409, with its ETag: nothing is written', async () => {
      const screen = () => request(api.http).post(subjects).set('Authorization', api.auth('coordinator')).set('If-None-Match', '*');
      const first = await screen().send(bodies.screen('S100')).expect(201);
      const again = await refused(() => screen().send(bodies.screen('S100')), 412, 'CONCURRENCY.VERSION_CONFLICT');
      expect(again.headers.etag).toBe(first.headers.etag);
    });

    it('a retry under the same idempotency key gets the first answer, not 412', async () => {
      const screen = () => request(api.http).post(subjects).set('Authorization', api.auth('coordinator')).set('If-None-Match', '*').set('Idempotency-Key', 'screen-s101-once');
      const first = await screen().send(bodies.screen('S101')).expect(201);
      const retry = await screen().send(bodies.screen('S101')).expect(201);
      expect(retry.body).toEqual(first.body);
    });

    it('refuses registering a study that is registered (412)', async () => {
      await refused(() => request(api.http).post('/api/v1/studies').set('Authorization', api.auth('admin')).set('If-None-Match', '*').send({}), 412, 'CONCURRENCY.VERSION_CONFLICT');
    });

    it('adds a user whose username is free, and refuses a taken one 412 REQUEST.PRECONDITION_FAILED', async () => {
      const add = () => request(api.http).post('/api/v1/users').set('Authorization', api.auth('admin')).set('If-None-Match', '*');
      await add().send(newUser('newcomer')).expect(201);
      const taken = await refused(() => add().send(newUser('newcomer')), 412, 'REQUEST.PRECONDITION_FAILED');
      expect(taken.body.header).toBe('If-None-Match');
      await refused(() => add().send(newUser('NewComer')), 412, 'REQUEST.PRECONDITION_FAILED');
    });
  });

  describe('every other conditional request on a command is refused 400 REQUEST.UNSUPPORTED_PRECONDITION before anything runs', () => {
    it.each([
      ['If-None-Match naming a tag, on a create route', subjects, 'If-None-Match', '"3"', () => bodies.screen('S200')],
      ['If-None-Match: W/"0"', subjects, 'If-None-Match', 'W/"0"', () => bodies.screen('S201')],
      ['If-None-Match: * on a route that creates nothing (a dose)', `${subjects}/S001/doses`, 'If-None-Match', '*', () => bodies.dose(2, '2026-03-27')],
      ['If-Unmodified-Since on a create route', subjects, 'If-Unmodified-Since', 'Tue, 01 Sep 2026 09:00:00 GMT', () => bodies.screen('S202')],
      ['If-Unmodified-Since on a dose', `${subjects}/S001/doses`, 'If-Unmodified-Since', 'Tue, 01 Sep 2026 09:00:00 GMT', () => bodies.dose(2, '2026-03-27')],
    ])('%s', async (_what, path, header, value, body) => {
      const response = await refused(() => request(api.http).post(path).set('Authorization', api.auth('coordinator')).set(header, value).send(body()), 400, 'REQUEST.UNSUPPORTED_PRECONDITION');
      expect(response.body.header).toBe(header);
    });

    it('on user management too (a tag in If-None-Match, If-Unmodified-Since)', async () => {
      await refused(() => request(api.http).post('/api/v1/users').set('Authorization', api.auth('admin')).set('If-None-Match', '"1"').send(newUser('other')), 400, 'REQUEST.UNSUPPORTED_PRECONDITION');
      await refused(
        () => request(api.http).post('/api/v1/users/rex/deactivate').set('Authorization', api.auth('admin')).set('If-Unmodified-Since', 'Tue, 01 Sep 2026 09:00:00 GMT').send({ reason: 'left' }),
        400,
        'REQUEST.UNSUPPORTED_PRECONDITION',
      );
    });

    it('the OpenAPI document describes If-None-Match on commands', async () => {
      const { body } = await request(api.http).get('/api/docs-json').expect(200);
      const header = body.paths['/api/v1/studies/{studyId}/subjects'].post.parameters.find((parameter: { name: string }) => parameter.name === 'If-None-Match');
      expect(header).toMatchObject({ in: 'header', required: false });
      expect(header.description).toContain('REQUEST.UNSUPPORTED_PRECONDITION');
    });

    it('reads are not concerned', async () => {
      await request(api.http).get(`${subjects}/S001`).set('Authorization', api.auth('investigator')).set('If-Unmodified-Since', 'Tue, 01 Sep 2026 09:00:00 GMT').expect(200);
    });
  });
});
