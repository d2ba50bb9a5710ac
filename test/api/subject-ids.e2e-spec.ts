import request from 'supertest';
import { SUBJECT_ID, SUBJECT_ID_RULE } from '@trial-ledger/domain';
import { bodies, enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from './support/api-test-app';

/**
 * One rule for subject ids (the domain's SUBJECT_ID): what the CLI and `import` can record, the API
 * can record and address; what the domain refuses, the API refuses before anything is read or written.
 */
describe('subject ids through the API: the domain rule, nothing stricter or looser', () => {
  let api: ApiTestApp;
  const subjects = `/api/v1/studies/${STUDY}/subjects`;

  beforeAll(async () => {
    api = await startApiTestApp();
    await request(api.http).post('/api/v1/studies').set('Authorization', api.auth('admin')).send({}).expect(201);
  });
  afterAll(async () => api.close());

  it.each(['S1_', 'S1.', 'A', 'S.1_x_'])('a subject %j (recordable by the domain) is screened through the API and read back', async (subjectId) => {
    expect(SUBJECT_ID.test(subjectId)).toBe(true);
    const screened = await request(api.http).post(subjects).set('Authorization', api.auth('coordinator')).send(bodies.screen(subjectId));
    expect([screened.status, screened.body.code]).toEqual([201, undefined]);
    const path = `${subjects}/${encodeURIComponent(subjectId)}`;
    const casebook = await request(api.http).get(`${path}/casebook?minPosition=${screened.body.position as number}`).set('Authorization', api.auth('monitor'));
    expect([casebook.status, casebook.body.casebook?.subjectId, casebook.body.casebook?.status]).toEqual([200, subjectId, 'screened']);
    const subject = await request(api.http).get(path).set('Authorization', api.auth('investigator'));
    expect([subject.status, subject.body.subjectId]).toEqual([200, subjectId]);
    const queries = await request(api.http).get(`/api/v1/studies/${STUDY}/queries?subject=${encodeURIComponent(subjectId)}`).set('Authorization', api.auth('monitor'));
    expect(queries.status).toBe(200);
  });

  it.each(['__proto__', '_S1', 'S-1', '../x', '.S1', 'S 1', 'x'.repeat(65)])('a subject %j is refused everywhere with VALIDATION.FAILED naming the id, and nothing is written', async (subjectId) => {
    expect(SUBJECT_ID.test(subjectId)).toBe(false);
    const head = await api.headPosition();
    const screened = await request(api.http).post(subjects).set('Authorization', api.auth('coordinator')).send(bodies.screen(subjectId));
    expect([screened.status, screened.body.code]).toEqual([400, 'VALIDATION.FAILED']);
    expect(screened.body.errors).toEqual([expect.objectContaining({ field: 'subjectId' })]);
    expect(JSON.stringify(screened.body.errors)).toContain(`subjectId${SUBJECT_ID_RULE.replace(/^subjectId/, '')}`);
    const casebook = await request(api.http).get(`${subjects}/${encodeURIComponent(subjectId)}/casebook`).set('Authorization', api.auth('monitor'));
    expect([casebook.status, casebook.body.code]).toEqual([400, 'VALIDATION.FAILED']);
    const queries = await request(api.http).get(`/api/v1/studies/${STUDY}/queries?subject=${encodeURIComponent(subjectId)}`).set('Authorization', api.auth('monitor'));
    expect([queries.status, queries.body.code]).toEqual([400, 'VALIDATION.FAILED']);
    expect(await api.headPosition()).toBe(head);
  });

  describe('ids that differ only in letter case name one subject', () => {
    beforeAll(async () => enrolledSubject(api, 'S900'));

    it('screening s900 when S900 is enrolled is 409 SUBJECT.ID_CONFUSABLE naming S900, and nothing is written', async () => {
      const head = await api.headPosition();
      const screened = await request(api.http).post(subjects).set('Authorization', api.auth('coordinator')).send(bodies.screen('s900'));
      expect([screened.status, screened.body.code, screened.body.subjectId, screened.body.existingSubjectId]).toEqual([409, 'SUBJECT.ID_CONFUSABLE', 's900', 'S900']);
      expect(await api.headPosition()).toBe(head);
    });

    it('a dose for s900 when S900 is enrolled is 404 SUBJECT.NOT_FOUND with S900 as the hint, and nothing is written', async () => {
      const head = await api.headPosition();
      const dosed = await request(api.http).post(`${subjects}/s900/doses`).set('Authorization', api.auth('coordinator')).send(bodies.dose(1, '2026-03-06'));
      expect([dosed.status, dosed.body.code, dosed.body.existingSubjectId]).toEqual([404, 'SUBJECT.NOT_FOUND', 'S900']);
      expect(await api.headPosition()).toBe(head);
    });

    it('given C700 and c700 both screened before either was enrolled, when c700 is enrolled after C700, then 409 SUBJECT.ID_CONFUSABLE naming C700 and the roster holds C700 alone', async () => {
      const post = (path: string, body: object) => request(api.http).post(path).set('Authorization', api.auth('investigator')).send(body);
      for (const subjectId of ['C700', 'c700']) {
        await post(subjects, bodies.screen(subjectId)).expect(201);
        await post(`${subjects}/${subjectId}/eligibility-assessments`, bodies.eligibility()).expect(201);
        await post(`${subjects}/${subjectId}/tumor-assessments`, bodies.baseline()).expect(201);
      }
      await post(`${subjects}/C700/enrollment`, bodies.enroll()).expect(201);
      const head = await api.headPosition();
      const enrolled = await post(`${subjects}/c700/enrollment`, bodies.enroll());
      expect([enrolled.status, enrolled.body.code, enrolled.body.subjectId, enrolled.body.existingSubjectId]).toEqual([409, 'SUBJECT.ID_CONFUSABLE', 'c700', 'C700']);
      expect(await api.headPosition()).toBe(head);
      const study = await request(api.http).get(`/api/v1/studies/${STUDY}`).set('Authorization', api.auth('monitor')).expect(200);
      expect((study.body.roster as { subjectId: string }[]).map((line) => line.subjectId).filter((id) => id.toLowerCase() === 'c700')).toEqual(['C700']);
    });
  });
});
