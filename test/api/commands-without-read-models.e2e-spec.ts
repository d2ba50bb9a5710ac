import request from 'supertest';
import { ReadModelsRunner } from '../../apps/api/src/projections/read-models.runner';
import { bodies, startApiTestApp, STUDY, type ApiTestApp } from './support/api-test-app';

/**
 * The command path is read → decide → append (issue 13 item 2): with the read-models runner stopped, so
 * nothing folds the log any more, commands are still decided, recorded and answered with their position.
 */
describe('commands never wait on the read models', () => {
  let api: ApiTestApp;
  let readModels: ReadModelsRunner;
  const subjects = `/api/v1/studies/${STUDY}/subjects`;

  beforeAll(async () => {
    api = await startApiTestApp();
    readModels = api.app.get(ReadModelsRunner);
    await request(api.http).post('/api/v1/studies').set('Authorization', api.auth('admin')).send({}).expect(201);
  });
  afterAll(() => api.close());

  it('given a stopped read-models runner, when subjects are screened, enrolled and dosed, then each command is answered with its position', async () => {
    await readModels.runner.stop();
    const folded = readModels.runner.currentPosition;
    const screened = await request(api.http).post(subjects).set('Authorization', api.auth('coordinator')).send(bodies.screen('W001')).expect(201);
    await request(api.http).post(`${subjects}/W001/eligibility-assessments`).set('Authorization', api.auth('investigator')).send(bodies.eligibility()).expect(201);
    await request(api.http).post(`${subjects}/W001/tumor-assessments`).set('Authorization', api.auth('investigator')).send(bodies.baseline()).expect(201);
    await request(api.http).post(`${subjects}/W001/enrollment`).set('Authorization', api.auth('investigator')).send(bodies.enroll()).expect(201);
    const dosed = await request(api.http).post(`${subjects}/W001/doses`).set('Authorization', api.auth('coordinator')).send(bodies.dose()).expect(201);
    expect(dosed.body.position).toBeGreaterThan(screened.body.position);
    expect(dosed.body.position).toBe(await api.headPosition());
    // Nothing folded them: the answers did not come from the read models.
    expect(readModels.runner.currentPosition).toBe(folded);
    expect(folded).toBeLessThan(screened.body.position);
  });

  it('given read models that do not fold a position within the wait, a query waiting for it answers 503 READ_MODEL.NOT_CAUGHT_UP with Retry-After, not a hanging request', async () => {
    // The runner as a server still folding a large ledger has it: running, and not at the position within 5 s
    const notYet = jest.spyOn(readModels.runner, 'waitUntilFolded').mockResolvedValue(false);
    try {
      const head = await api.headPosition();
      const response = await request(api.http).get(`/api/v1/studies/${STUDY}/overview?minPosition=${head}`).set('Authorization', api.auth('monitor')).expect(503);
      expect([response.body.code, response.body.minPosition, response.headers['retry-after']]).toEqual(['READ_MODEL.NOT_CAUGHT_UP', head, '1']);
      expect(notYet).toHaveBeenCalledWith(head, 5_000);
    } finally {
      notYet.mockRestore();
    }
  });

  it('given the runner started again, then a query with the last position sees those commands', async () => {
    await readModels.runner.start();
    const head = await api.headPosition();
    const casebook = await request(api.http).get(`${subjects}/W001/casebook?minPosition=${head}`).set('Authorization', api.auth('monitor')).expect(200);
    expect(casebook.body.casebook).toMatchObject({ subjectId: 'W001', status: 'enrolled' });
  });
});
