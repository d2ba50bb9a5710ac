import request from 'supertest';
import { bodies, enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from './support/api-test-app';

describe('API commands: a subject from registration to dosing, through HTTP', () => {
  let api: ApiTestApp;
  beforeAll(async () => {
    api = await startApiTestApp();
  });
  afterAll(async () => api.close());

  const subjects = `/api/v1/studies/${STUDY}/subjects`;

  it('given no study, when an admin registers one with an empty body, then the seed protocol is registered (201, ETag "1", Location)', async () => {
    const response = await request(api.http).post('/api/v1/studies').set('Authorization', api.auth('admin')).send({}).expect(201);
    expect(response.body).toEqual({
      eventIds: [expect.any(String)],
      events: [{ eventId: response.body.eventIds[0], type: 'StudyRegistered', globalPosition: expect.any(Number), streamVersion: 1 }],
      streamVersion: 1,
      position: response.body.events[0].globalPosition,
    });
    expect(response.headers.etag).toBe('"1"');
    expect(response.headers.location).toBe(`/api/v1/studies/${STUDY}`);
    const study = await request(api.http).get(`/api/v1/studies/${STUDY}`).set('Authorization', api.auth('monitor')).expect(200);
    expect(study.headers.etag).toBe('"1"');
    expect(study.body).toMatchObject({ status: 'active', studyId: STUDY, protocol: { targetEnrollment: 28 }, roster: [] });
  });

  it('when a coordinator screens a subject, then SubjectScreened opens the stream at version 1 with the actor in its metadata', async () => {
    const response = await request(api.http).post(subjects).set('Authorization', api.auth('coordinator')).send(bodies.screen('S001')).expect(201);
    expect(response.body.events.map((e: { type: string }) => e.type)).toEqual(['SubjectScreened']);
    expect(response.headers.etag).toBe('"1"');
    expect(response.headers.location).toBe(`${subjects}/S001`);
    const stored = await api.store.getEvent(response.body.eventIds[0]);
    expect(stored?.metadata).toMatchObject({ actor: { username: 'cora', role: 'coordinator' }, source: 'api', recordedAt: '2026-09-01T09:00:00.000Z' });
    expect(stored?.data).toMatchObject({ subjectId: 'S001', screeningDate: '2026-03-02', sex: 'F', birthYear: 1961 });
  });

  it('eligibility, baseline scan, enrollment and a first dose each append to the subject stream', async () => {
    const post = (path: string, body: object) => request(api.http).post(`${subjects}/S001/${path}`).set('Authorization', api.auth('investigator')).send(body);
    expect((await post('eligibility-assessments', bodies.eligibility()).expect(201)).body.events[0].type).toBe('EligibilityConfirmed');
    const baseline = await post('tumor-assessments', bodies.baseline()).expect(201);
    expect(baseline.body.events[0].type).toBe('TumorAssessmentRecorded');
    const enrolled = await post('enrollment', bodies.enroll()).expect(201);
    expect(enrolled.body.events.map((e: { type: string }) => e.type)).toContain('SubjectEnrolled');
    const dose = await post('doses', bodies.dose()).expect(201);
    expect(dose.body.events.map((e: { type: string }) => e.type)).toEqual(['DoseAdministered']);
    expect(dose.body.streamVersion).toBe(5);
    expect(dose.headers.etag).toBe('"5"');
  });

  it('an off-window dose is recorded together with the deviation the domain detects', async () => {
    const response = await request(api.http)
      .post(`${subjects}/S001/doses`)
      .set('Authorization', api.auth('coordinator'))
      .send(bodies.dose(2, '2026-04-20'))
      .expect(201);
    expect(response.body.events.map((e: { type: string }) => e.type)).toEqual(['DoseAdministered', 'ProtocolDeviationDetected']);
    expect(response.body.streamVersion).toBe(7);
  });

  it('GET subject returns the casebook with ETag = stream version; GET events pages the history as stored', async () => {
    const subject = await request(api.http).get(`${subjects}/S001`).set('Authorization', api.auth('monitor')).expect(200);
    expect(subject.headers.etag).toBe('"7"');
    expect(subject.body).toMatchObject({ subjectId: 'S001', streamVersion: 7, enrollment: { subjectNumber: 1, enrollmentDate: '2026-03-05' } });
    const page1 = await request(api.http).get(`${subjects}/S001/events?limit=4`).set('Authorization', api.auth('regulator')).expect(200);
    expect(page1.body.events.map((e: { streamVersion: number }) => e.streamVersion)).toEqual([1, 2, 3, 4]);
    expect(page1.body).toMatchObject({ streamId: `subject-${STUDY}-S001`, streamVersion: 7, nextAfterVersion: 4 });
    expect(page1.body.events[0]).toMatchObject({ type: 'SubjectScreened', hash: expect.stringMatching(/^[0-9a-f]{64}$/), metadata: { actor: { username: 'cora' } } });
    const page2 = await request(api.http).get(`${subjects}/S001/events?afterVersion=4&limit=4`).set('Authorization', api.auth('regulator')).expect(200);
    expect(page2.body.events.map((e: { streamVersion: number }) => e.streamVersion)).toEqual([5, 6, 7]);
    expect(page2.body.nextAfterVersion).toBeNull();
  });

  it('the enrolled-subject helper drives a second subject to the next subject number', async () => {
    await enrolledSubject(api, 'S002');
    const study = await request(api.http).get(`/api/v1/studies/${STUDY}`).set('Authorization', api.auth('investigator')).expect(200);
    expect(study.body.roster.map((r: { subjectId: string; subjectNumber: number }) => [r.subjectId, r.subjectNumber])).toEqual([['S001', 1], ['S002', 2]]);
  });
});
