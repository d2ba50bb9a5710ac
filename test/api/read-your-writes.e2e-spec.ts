import request from 'supertest';
import { bodies, startApiTestApp, STUDY, type ApiTestApp } from './support/api-test-app';

describe('commands do not wait on read models; a query reads its own write with ?minPosition=', () => {
  let api: ApiTestApp;
  const subjects = `/api/v1/studies/${STUDY}/subjects`;

  beforeAll(async () => {
    api = await startApiTestApp();
    await request(api.http).post('/api/v1/studies').set('Authorization', api.auth('admin')).send({}).expect(201);
  });
  afterAll(() => api.close());

  const get = (path: string) => request(api.http).get(path).set('Authorization', api.auth('monitor'));

  it('given a command, then its answer carries the log position it reached', async () => {
    const response = await request(api.http).post(subjects).set('Authorization', api.auth('coordinator')).send(bodies.screen('S001')).expect(201);
    expect(response.body.position).toBe(response.body.events.at(-1).globalPosition);
    expect(response.body.position).toBe(await api.headPosition());
  });

  it('given the position of a write, when the overview and the casebook are read with it, then both show the write', async () => {
    const screened = await request(api.http).post(subjects).set('Authorization', api.auth('coordinator')).send(bodies.screen('S002')).expect(201);
    const overview = await get(`/api/v1/studies/${STUDY}/overview?minPosition=${screened.body.position}`).expect(200);
    expect(overview.body.asOf.position).toBeGreaterThanOrEqual(screened.body.position);
    expect(overview.body.overview).toMatchObject({ screened: 2, statusCounts: { screened: 2 } });
    const casebook = await get(`${subjects}/S002/casebook?minPosition=${screened.body.position}`).expect(200);
    expect(casebook.body).toMatchObject({ asOf: { asKnownAt: null }, casebook: { subjectId: 'S002', status: 'screened', streamVersion: 1 } });
  });

  it('refuses a minPosition beyond the head of the log (400, nothing waited for) and a malformed one (400)', async () => {
    const head = await api.headPosition();
    const beyond = await get(`/api/v1/studies/${STUDY}/overview?minPosition=${head + 1000}`).expect(400);
    expect(beyond.body).toMatchObject({ code: 'QUERY.MIN_POSITION_BEYOND_HEAD', minPosition: head + 1000, headPosition: head });
    expect((await get(`/api/v1/studies/${STUDY}/overview?minPosition=-1`)).status).toBe(400);
    expect((await get(`${subjects}/S001/casebook?minPosition=abc`)).status).toBe(400);
  });

  it('answers an unknown subject from the read models as not found', async () => {
    const head = await api.headPosition();
    expect((await get(`${subjects}/S999/casebook?minPosition=${head}`)).body.code).toBe('SUBJECT.NOT_FOUND');
  });
});
