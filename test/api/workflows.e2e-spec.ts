import request from 'supertest';
import { loadDefaultProtocol, type Role } from '@trial-ledger/domain';
import { bodies, enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from './support/api-test-app';

describe('API workflows: database lock, corrections and voids, the enrollment cap under concurrency', () => {
  let api: ApiTestApp;
  const subjects = `/api/v1/studies/${STUDY}/subjects`;
  const post = (path: string, role: Role, body: object) => request(api.http).post(path).set('Authorization', api.auth(role)).send(body);

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => api.close());

  describe('database lock', () => {
    it('while the study is locked every clinical command is refused (409 STUDY.LOCKED) and nothing is written', async () => {
      const locked = await post(`/api/v1/studies/${STUDY}/lock`, 'admin', { reason: 'interim analysis' }).expect(201);
      expect(locked.body.events.map((e: { type: string }) => e.type)).toEqual(['StudyLocked']);
      const head = await api.headPosition();
      const response = await post(`${subjects}/S001/doses`, 'coordinator', bodies.dose(1, '2026-03-06'));
      expect([response.status, response.body.code]).toEqual([409, 'STUDY.LOCKED']);
      expect(await api.headPosition()).toBe(head);
    });

    it('locking a locked study decides nothing: 200 with no events, the lock reason unchanged', async () => {
      const head = await api.headPosition();
      const again = await post(`/api/v1/studies/${STUDY}/lock`, 'admin', { reason: 'again' }).expect(200);
      expect(again.body).toMatchObject({ eventIds: [], events: [] });
      expect(await api.headPosition()).toBe(head);
      const study = await request(api.http).get(`/api/v1/studies/${STUDY}`).set('Authorization', api.auth('monitor')).expect(200);
      expect(study.body).toMatchObject({ status: 'locked', lockReason: 'interim analysis' });
      expect(study.headers.etag).toBe(again.headers.etag);
    });

    it('after unlocking, clinical commands are accepted again; the reasons are in the events metadata', async () => {
      const unlocked = await post(`/api/v1/studies/${STUDY}/unlock`, 'admin', { reason: 'query resolution' }).expect(201);
      expect((await api.store.getEvent(unlocked.body.eventIds[0]))?.metadata.reason).toBe('query resolution');
      await post(`${subjects}/S001/doses`, 'coordinator', bodies.dose(1, '2026-03-06')).expect(201);
    });
  });

  describe('corrections and voids (Part 11 §11.10(e))', () => {
    it('a correction by target event id appends EntryCorrected with before/after and reason; the original stays untouched', async () => {
      const dose = await post(`${subjects}/S001/doses`, 'coordinator', { ...bodies.dose(2, '2026-04-03'), lotNumber: 'LOT-0O42' }).expect(201);
      const doseEventId = dose.body.eventIds[0];
      const original = await api.store.getEvent(doseEventId);
      const correction = await post(`${subjects}/S001/corrections`, 'coordinator', { targetEventId: doseEventId, changes: { lotNumber: 'LOT-0042' }, reason: 'transcription error: letter O for zero' }).expect(201);
      expect(correction.body.events.map((e: { type: string }) => e.type)).toEqual(['EntryCorrected']);
      const corrected = await api.store.getEvent(correction.body.eventIds[0]);
      expect(corrected?.data).toMatchObject({ targetEventId: doseEventId, before: { lotNumber: 'LOT-0O42' }, after: { lotNumber: 'LOT-0042' }, reason: 'transcription error: letter O for zero' });
      expect(corrected?.metadata.reason).toBe('transcription error: letter O for zero');
      expect(await api.store.getEvent(doseEventId)).toEqual(original);
    });

    it('an enrollment date corrected is corrected on the roster in the same append: the overview and the casebook read the new date', async () => {
      await enrolledSubject(api, 'S090');
      const casebook = async () => {
        const body = (await request(api.http).get(`${subjects}/S090/casebook?minPosition=${await api.headPosition()}`).set('Authorization', api.auth('monitor')).expect(200)).body;
        return body.casebook ?? body;
      };
      const enrolled = (await casebook()).enrollment;
      const fixed = await post(`${subjects}/S090/corrections`, 'investigator', { targetEventId: enrolled.eventId, changes: { enrollmentDate: '2026-03-06' }, reason: 'date transposed on the source' }).expect(201);
      const written = await Promise.all(fixed.body.eventIds.map((id: string) => api.store.getEvent(id)));
      expect(written.map((e) => [e?.streamId, e?.type])).toEqual([
        [`subject-${STUDY}-S090`, 'EntryCorrected'],
        [`study-${STUDY}`, 'RosterEnrollmentDateCorrected'],
      ]);
      const overview = (await request(api.http).get(`/api/v1/studies/${STUDY}/overview?minPosition=${await api.headPosition()}`).set('Authorization', api.auth('monitor')).expect(200)).body.overview;
      expect(overview.roster.find((line: { subjectId: string }) => line.subjectId === 'S090').enrollmentDate).toBe('2026-03-06');
      expect(overview.subjects.find((row: { subjectId: string }) => row.subjectId === 'S090').enrollmentDate).toBe('2026-03-06');
      expect((await casebook()).enrollment).toMatchObject({ eventId: enrolled.eventId, enrollmentDate: '2026-03-06' });
    });

    it('a correction that breaks the original command\'s rules is refused (CTCAE grade out of range) and writes nothing', async () => {
      const ae = await post(`${subjects}/S001/adverse-events`, 'coordinator', { term: 'nausea', onsetDate: '2026-03-08', ctcaeGrade: 1, serious: false, relatedness: 'possible' }).expect(201);
      const head = await api.headPosition();
      const response = await post(`${subjects}/S001/corrections`, 'coordinator', { targetEventId: ae.body.eventIds[0], changes: { ctcaeGrade: 7 }, reason: 'regraded' });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION.OUT_OF_RANGE', field: 'ctcaeGrade', value: 7 });
      expect(await api.headPosition()).toBe(head);
    });

    it('a void by the idempotency key of the command that wrote the entry appends EntryVoided', async () => {
      await post(`${subjects}/S001/deviations`, 'coordinator', { deviationDate: '2026-03-09', category: 'visit window', description: 'entered on the wrong subject', severity: 'minor' })
        .set('Idempotency-Key', 'dev-wrong-subject')
        .expect(201);
      const voided = await post(`${subjects}/S001/voids`, 'coordinator', { targetIdempotencyKey: 'dev-wrong-subject', reason: 'entered on the wrong subject' }).expect(201);
      expect(voided.body.events.map((e: { type: string }) => e.type)).toEqual(['EntryVoided']);
      const casebook = await request(api.http).get(`${subjects}/S001`).set('Authorization', api.auth('monitor')).expect(200);
      expect(casebook.body.voids).toEqual([expect.objectContaining({ reason: 'entered on the wrong subject' })]);
    });

    it('correcting an unknown entry is 404', async () => {
      const response = await post(`${subjects}/S001/corrections`, 'coordinator', { targetEventId: '0190a3f0-0000-7000-8000-000000000000', changes: { doseMg: 90 }, reason: 'typo' });
      expect(response.status).toBe(404);
    });
  });

  describe('the enrollment cap under concurrent requests', () => {
    it('given a study capped at 3 and 5 eligible subjects, when all 5 enroll at once, then exactly 3 are enrolled with numbers 1–3', async () => {
      const studyId = 'CAP-TEST-01';
      const protocol = { ...loadDefaultProtocol(), studyId, targetEnrollment: 3 };
      await post('/api/v1/studies', 'admin', { protocol }).expect(201);
      const ids = ['C1', 'C2', 'C3', 'C4', 'C5'];
      for (const id of ids) {
        await post(`/api/v1/studies/${studyId}/subjects`, 'coordinator', bodies.screen(id)).expect(201);
        await post(`/api/v1/studies/${studyId}/subjects/${id}/eligibility-assessments`, 'investigator', bodies.eligibility()).expect(201);
        await post(`/api/v1/studies/${studyId}/subjects/${id}/tumor-assessments`, 'investigator', bodies.baseline()).expect(201);
      }
      const responses = await Promise.all(ids.map((id) => post(`/api/v1/studies/${studyId}/subjects/${id}/enrollment`, 'investigator', bodies.enroll())));
      expect(responses.map((r) => r.status).sort()).toEqual([201, 201, 201, 409, 409]);
      expect(responses.filter((r) => r.status === 409).map((r) => r.body.code)).toEqual(['ENROLLMENT.CAP_REACHED', 'ENROLLMENT.CAP_REACHED']);
      const study = await request(api.http).get(`/api/v1/studies/${studyId}`).set('Authorization', api.auth('monitor')).expect(200);
      expect(study.body.roster.map((r: { subjectNumber: number }) => r.subjectNumber)).toEqual([1, 2, 3]);
    });
  });
});
