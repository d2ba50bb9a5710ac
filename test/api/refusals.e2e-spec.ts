import request from 'supertest';
import { loadDefaultProtocol, type Role } from '@trial-ledger/domain';
import { bodies, enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from './support/api-test-app';

/**
 * SPEC §2: "Bad input gets a clear error and writes nothing". Every refusal below is checked for its
 * problem code AND for an unchanged log head.
 */
describe('API refusals: RFC 9457 problems, and nothing written', () => {
  let api: ApiTestApp;
  const subjects = `/api/v1/studies/${STUDY}/subjects`;
  const doses = `${subjects}/S001/doses`;

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => api.close());

  /** The distinct fields named by a VALIDATION.FAILED problem (one entry per failed constraint). */
  const fieldsOf = (problem: { errors: { field: string }[] }): string[] => [...new Set(problem.errors.map((e) => e.field))].sort();

  const post = (path: string, role: Role, body: unknown) => request(api.http).post(path).set('Authorization', api.auth(role)).send(body as object);

  /** Sends the request and asserts the problem and that the log did not move. */
  const refused = async (send: () => request.Test, status: number, code: string) => {
    const head = await api.headPosition();
    const response = await send();
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: expect.stringMatching(/^https:\/\/trial-ledger\.dev\/problems\/[a-z0-9-]+$/), title: expect.any(String), status, detail: expect.any(String), instance: expect.any(String) });
    expect(await api.headPosition()).toBe(head);
    return response.body;
  };

  describe('validation (400 VALIDATION.FAILED with the list of field errors)', () => {
    it('an unknown field is refused, not silently dropped', async () => {
      const problem = await refused(() => post(doses, 'coordinator', { ...bodies.dose(2, '2026-04-03'), dosMg: 120 }), 400, 'VALIDATION.FAILED');
      expect(problem.errors).toEqual([expect.objectContaining({ field: 'dosMg', pointer: '/dosMg', constraint: 'unknownField' })]);
    });

    it('wrong types are refused without coercion ("120" is not a number, "true" not a boolean)', async () => {
      const problem = await refused(() => post(doses, 'coordinator', { ...bodies.dose(2, '2026-04-03'), doseMg: '120', cycle: 2.5 }), 400, 'VALIDATION.FAILED');
      expect(fieldsOf(problem)).toEqual(['cycle', 'doseMg']);
      const eligibility = await refused(() => post(`${subjects}/S001/eligibility-assessments`, 'investigator', { ...bodies.eligibility(), measurableDisease: 'true' }), 400, 'VALIDATION.FAILED');
      expect(eligibility.errors).toEqual([expect.objectContaining({ field: 'measurableDisease', constraint: 'isBoolean' })]);
    });

    it('out-of-range values are refused (CTCAE grade 6, ECOG 5, negative diameter)', async () => {
      // Payload bounds are the domain's (one source for the API and import): refused by the decider with its code.
      const ae = await refused(
        () => post(`${subjects}/S001/adverse-events`, 'coordinator', { term: 'nausea', onsetDate: '2026-03-10', ctcaeGrade: 6, serious: false, relatedness: 'possible' }),
        400,
        'VALIDATION.OUT_OF_RANGE',
      );
      expect(ae).toMatchObject({ field: 'ctcaeGrade', value: 6, min: 1, max: 5 });
      await refused(() => post(`${subjects}/S001/eligibility-assessments`, 'investigator', { ...bodies.eligibility(), ecog: 5 }), 400, 'VALIDATION.OUT_OF_RANGE');
      const scan = { ...bodies.baseline(), baseline: false, assessmentDate: '2026-05-28', targetLesions: [{ lesionId: 'T1', organ: 'liver', diameterMm: -1, nodal: false }] };
      const tumor = await refused(() => post(`${subjects}/S001/tumor-assessments`, 'investigator', scan), 400, 'RECIST.INVALID_DIAMETER');
      expect(tumor).toMatchObject({ lesionId: 'T1', value: -1 });
    });

    it('impossible calendar dates are refused (2026-02-30, 2026-13-01, a timestamp)', async () => {
      for (const date of ['2026-02-30', '2026-13-01', '2026-03-06T10:00:00Z', '06/03/2026']) {
        const problem = await refused(() => post(doses, 'coordinator', bodies.dose(2, date)), 400, 'VALIDATION.FAILED');
        expect(problem.errors).toEqual([expect.objectContaining({ field: 'administeredOn', constraint: 'isCalendarDate' })]);
      }
    });

    it('a missing required field and an empty reason are refused', async () => {
      const { lotNumber: _lot, ...withoutLot } = bodies.dose(2, '2026-04-03');
      const missing = await refused(() => post(doses, 'coordinator', withoutLot), 400, 'VALIDATION.FAILED');
      expect(fieldsOf(missing)).toEqual(['lotNumber']);
      await refused(() => post(`/api/v1/studies/${STUDY}/lock`, 'admin', { reason: '   ' }), 400, 'VALIDATION.FAILED');
    });

    it('a correction must name exactly one target', async () => {
      const neither = await refused(() => post(`${subjects}/S001/corrections`, 'investigator', { changes: { doseMg: 90 }, reason: 'typo' }), 400, 'VALIDATION.FAILED');
      expect(neither.errors).toEqual([expect.objectContaining({ field: 'targetEventId' })]);
      const both = await refused(
        () => post(`${subjects}/S001/voids`, 'investigator', { targetEventId: '0190a3f0-0000-7000-8000-000000000000', targetIdempotencyKey: 'k1', reason: 'duplicate' }),
        400,
        'VALIDATION.FAILED',
      );
      expect(both.errors).toEqual([expect.objectContaining({ field: 'targetEventId', constraint: 'notTogetherWith' })]);
    });

    it('an invalid protocol document is refused by the domain with every problem listed (400 PROTOCOL.INVALID)', async () => {
      const protocol = { ...loadDefaultProtocol(), studyId: 'BAD-01', targetEnrollment: -1, unexpected: true };
      const problem = await refused(() => post('/api/v1/studies', 'admin', { protocol }), 400, 'PROTOCOL.INVALID');
      expect(problem.problems.length).toBeGreaterThanOrEqual(2);
      await refused(() => post('/api/v1/studies', 'admin', { studyId: 'OTHER-01' }), 400, 'PROTOCOL.STUDY_MISMATCH');
    });

    it('a study id equal to a registered one ignoring case is refused (409 STUDY.ID_CONFUSABLE), not registered beside it', async () => {
      const confusable = STUDY.toLowerCase();
      const problem = await refused(() => post('/api/v1/studies', 'admin', { studyId: confusable, protocol: { ...loadDefaultProtocol(), studyId: confusable } }), 409, 'STUDY.ID_CONFUSABLE');
      expect(problem).toMatchObject({ studyId: confusable, registeredStudyId: STUDY });
      await request(api.http).get(`/api/v1/studies/${confusable}`).set('Authorization', api.auth('admin')).expect(404);
    });

    it('a malformed path identifier is refused before anything is read', async () => {
      const problem = await refused(() => post(`${subjects}/bad%20id/doses`, 'coordinator', bodies.dose(2, '2026-04-03')), 400, 'VALIDATION.FAILED');
      expect(problem.errors).toEqual([expect.objectContaining({ field: 'subjectId' })]);
    });

    it('a subject id with a dash is refused (subject-{study}-{subject} must name one stream only) and nothing is written', async () => {
      const problem = await refused(() => post(subjects, 'coordinator', bodies.screen('S-001')), 400, 'VALIDATION.FAILED');
      expect(problem.errors).toEqual([expect.objectContaining({ field: 'subjectId' })]);
      await refused(() => post(`${subjects}/S-001/doses`, 'coordinator', bodies.dose(1, '2026-03-06')), 400, 'VALIDATION.FAILED');
    });

    it('malformed JSON is refused with REQUEST.MALFORMED_JSON', async () => {
      await refused(() => request(api.http).post(doses).set('Authorization', api.auth('coordinator')).set('content-type', 'application/json').send('{"cycle": 2,'), 400, 'REQUEST.MALFORMED_JSON');
    });
  });

  describe('not found, rules and roles', () => {
    it('an unknown subject is 404 SUBJECT.NOT_FOUND for commands and queries alike', async () => {
      await refused(() => post(`${subjects}/S999/doses`, 'coordinator', bodies.dose(1, '2026-03-06')), 404, 'SUBJECT.NOT_FOUND');
      await refused(() => request(api.http).get(`${subjects}/S999`).set('Authorization', api.auth('monitor')), 404, 'SUBJECT.NOT_FOUND');
      await refused(() => request(api.http).get(`${subjects}/S999/events`).set('Authorization', api.auth('monitor')), 404, 'SUBJECT.NOT_FOUND');
    });

    it('an unknown study is 404', async () => {
      const problem = await refused(() => request(api.http).get('/api/v1/studies/NOPE-01').set('Authorization', api.auth('admin')), 404, 'STUDY.NOT_REGISTERED');
      expect(problem.studyId).toBe('NOPE-01');
    });

    it('a dose for a subject who is screened but not enrolled is a 409 rule refusal', async () => {
      await post(subjects, 'coordinator', bodies.screen('S010')).expect(201);
      await refused(() => post(`${subjects}/S010/doses`, 'coordinator', bodies.dose(1, '2026-03-06')), 409, 'SUBJECT.NOT_ENROLLED');
    });

    it('a screen failure names every failed criterion (recorded, not refused)', async () => {
      await post(subjects, 'coordinator', bodies.screen('S011')).expect(201);
      const response = await post(`${subjects}/S011/eligibility-assessments`, 'investigator', { ...bodies.eligibility(), primarySite: 'stomach', ki67Percent: 35, ecog: 3 }).expect(201);
      expect(response.body.events[0].type).toBe('SubjectScreenFailed');
      const stored = await api.store.getEvent(response.body.eventIds[0]);
      expect(stored?.data.failedCriteria).toEqual(expect.arrayContaining([expect.stringContaining('site'), expect.stringContaining('ki67'), expect.stringContaining('ecog')]));
    });

    it('without a bearer token every ledger route is 401 AUTH.UNAUTHENTICATED; a forged token too', async () => {
      await refused(() => request(api.http).post(doses).send(bodies.dose(2, '2026-04-03')), 401, 'AUTH.UNAUTHENTICATED');
      await refused(() => request(api.http).get(`/api/v1/studies/${STUDY}`), 401, 'AUTH.UNAUTHENTICATED');
      await refused(() => request(api.http).get(`/api/v1/studies/${STUDY}`).set('Authorization', 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), 401, 'AUTH.TOKEN_INVALID');
    });

    it('a role that may not issue the command is 403 AUTH.ROLE_NOT_ALLOWED; only the refusal itself is logged', async () => {
      for (const [role, path, body] of [
        ['monitor', doses, bodies.dose(2, '2026-04-03')],
        ['admin', doses, bodies.dose(2, '2026-04-03')],
        ['coordinator', `${subjects}/S001/clinical-progressions`, { progressionDate: '2026-05-01', basis: 'symptoms' }],
        ['investigator', `/api/v1/studies/${STUDY}/lock`, { reason: 'interim analysis' }],
        ['regulator', subjects, bodies.screen('S050')],
      ] as const) {
        const head = await api.headPosition();
        const response = await post(path, role, body);
        expect({ role, status: response.status, code: response.body.code }).toEqual({ role, status: 403, code: 'AUTH.ROLE_NOT_ALLOWED' });
        const written = await api.eventsAfter(head);
        expect(written.map((e) => [e.streamId, e.type])).toEqual([['identity', 'AuthorizationRefused']]);
      }
    });

    it('an admin may not read clinical data', async () => {
      const head = await api.headPosition();
      const response = await request(api.http).get(`${subjects}/S001`).set('Authorization', api.auth('admin'));
      expect([response.status, response.body.code]).toEqual([403, 'AUTH.ROLE_NOT_ALLOWED']);
      expect(response.body.detail).toMatch(/^An admin may not read a subject \(allowed: /);
      expect((await api.eventsAfter(head)).map((e) => e.type)).toEqual(['AuthorizationRefused']);
    });

    it('a refusal reads in words with the right article, an internal command or query name in no detail', async () => {
      const review = await request(api.http).get(`/api/v1/studies/${STUDY}/audit-trail/review`).set('Authorization', api.auth('investigator'));
      expect([review.status, review.body.code]).toEqual([403, 'AUTH.ROLE_NOT_ALLOWED']);
      expect(review.body.detail).toMatch(/^An investigator may not review the audit trail \(allowed: /);
      const lock = await post(`/api/v1/studies/${STUDY}/lock`, 'investigator', { reason: 'interim analysis' });
      expect(lock.body.detail).toMatch(/^An investigator may not lock the study \(allowed: /);
      const dose = await post(doses, 'monitor', bodies.dose(2, '2026-04-03'));
      expect(dose.body.detail).toMatch(/^A monitor may not record a dose \(allowed: /);
      for (const detail of [review.body.detail, lock.body.detail, dose.body.detail]) expect(detail).not.toMatch(/[a-z][A-Z]/);
    });
  });

  describe('optimistic concurrency (If-Match / ETag)', () => {
    it('a stale If-Match is 412 CONCURRENCY.VERSION_CONFLICT with the current ETag; the right one is accepted', async () => {
      const current = await request(api.http).get(`${subjects}/S001`).set('Authorization', api.auth('coordinator')).expect(200);
      const version = Number(JSON.parse(current.headers.etag));
      const problem = await refused(() => post(doses, 'coordinator', bodies.dose(2, '2026-04-02')).set('If-Match', `"${version - 1}"`), 412, 'CONCURRENCY.VERSION_CONFLICT');
      expect(problem).toMatchObject({ expectedVersion: version - 1, actualVersion: version });
      const accepted = await post(doses, 'coordinator', bodies.dose(2, '2026-04-02')).set('If-Match', current.headers.etag).expect(201);
      expect(accepted.body.events[0]).toMatchObject({ type: 'DoseAdministered', streamVersion: version + 1 });
      expect(accepted.headers.etag).toBe(`"${accepted.body.streamVersion}"`);
    });

    it('a malformed If-Match (weak or unquoted tag) is 400 REQUEST.INVALID_IF_MATCH', async () => {
      await refused(() => post(doses, 'coordinator', bodies.dose(3, '2026-04-30')).set('If-Match', 'W/"3"'), 400, 'REQUEST.INVALID_IF_MATCH');
      await refused(() => post(doses, 'coordinator', bodies.dose(3, '2026-04-30')).set('If-Match', '3'), 400, 'REQUEST.INVALID_IF_MATCH');
    });
  });

  describe('idempotency (Idempotency-Key)', () => {
    const ae = { term: 'injection-site pain', onsetDate: '2026-03-07', ctcaeGrade: 1, serious: false, relatedness: 'related' };

    it('a replay answers the first outcome (same status and body, Idempotent-Replayed: true) and writes nothing', async () => {
      const first = await post(`${subjects}/S001/adverse-events`, 'coordinator', ae).set('Idempotency-Key', 'ae-0001').expect(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const head = await api.headPosition();
      const replay = await post(`${subjects}/S001/adverse-events`, 'coordinator', ae).set('Idempotency-Key', 'ae-0001').expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect(replay.headers.etag).toBe(first.headers.etag);
      expect(await api.headPosition()).toBe(head);
    });

    it('the key may travel in the body instead of the header; the stored event carries it', async () => {
      const first = await post(`${subjects}/S001/adverse-events`, 'coordinator', { ...ae, term: 'fatigue', idempotencyKey: 'ae-0002' }).expect(201);
      const replay = await post(`${subjects}/S001/adverse-events`, 'coordinator', { ...ae, term: 'fatigue' }).set('Idempotency-Key', 'ae-0002').expect(201);
      expect(replay.body).toEqual(first.body);
      expect((await api.store.getEvent(first.body.eventIds[0]))?.metadata.idempotencyKey).toBe('ae-0002');
    });

    it('the same key with another body is 422 IDEMPOTENCY.KEY_REUSED', async () => {
      await refused(() => post(`${subjects}/S001/adverse-events`, 'coordinator', { ...ae, ctcaeGrade: 2 }).set('Idempotency-Key', 'ae-0001'), 422, 'IDEMPOTENCY.KEY_REUSED');
    });

    it('the same key on another route is refused too (the key is bound to the whole command)', async () => {
      await refused(() => post(`${subjects}/S001/deviations`, 'coordinator', { deviationDate: '2026-03-07', category: 'visit window', description: 'late', severity: 'minor' }).set('Idempotency-Key', 'ae-0001'), 422, 'IDEMPOTENCY.KEY_REUSED');
    });

    it('header and body keys that disagree are refused', async () => {
      await refused(() => post(`${subjects}/S001/adverse-events`, 'coordinator', { ...ae, idempotencyKey: 'a' }).set('Idempotency-Key', 'b'), 400, 'IDEMPOTENCY.KEY_MISMATCH');
    });
  });
});
