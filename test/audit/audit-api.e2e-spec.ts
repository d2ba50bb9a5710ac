import request from 'supertest';
import { parseCsv } from '../../libs/audit/src/testing/parse-csv';
import { seedAuditLedger, STUDY_ID, type SeededLedger } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { validateOdmXml } from '../../libs/audit/src/testing/odm-schema.validator';
import { SqliteAttacker } from '../../libs/audit/src/testing/sqlite-attacker';
import { startApiTestApp, type ApiTestApp } from '../api/support/api-test-app';

describe('audit API (monitors and regulators read; Part 11 §11.10(b)(e))', () => {
  let api: ApiTestApp;
  let seeded: SeededLedger;

  beforeAll(async () => {
    api = await startApiTestApp();
    seeded = await seedAuditLedger(api.store, { identity: false });
  });
  afterAll(() => api.close());

  const get = (path: string, role: Parameters<ApiTestApp['auth']>[0]) => request(api.http).get(path).set('Authorization', api.auth(role));

  it('given a monitor, GET /api/v1/audit-trail filters by subject and type and pages the rows', async () => {
    const response = await get('/api/v1/audit-trail?subject=S001&type=EntryCorrected,EntryVoided', 'monitor').expect(200);
    expect(response.body).toMatchObject({ page: 1, pageSize: 100, hasMore: false });
    expect(response.body.items).toHaveLength(2);
    expect(response.body.items[0]).toMatchObject({
      eventType: 'EntryCorrected', fullName: 'Chloé Coordinator', before: { doseMg: 12 }, after: { doseMg: 120 },
      reason: 'Transcription error: 120 mg per pharmacy log', targetEventId: seeded.doseToCorrect.eventId, targetType: 'DoseAdministered',
    });
    const paged = await get('/api/v1/audit-trail?page=2&pageSize=5', 'regulator').expect(200);
    expect(paged.body.items).toHaveLength(5);
    expect(paged.body.hasMore).toBe(true);
  });

  it('never returns password hashes of the real identity stream', async () => {
    const response = await get('/api/v1/audit-trail?type=UserCreated', 'regulator').expect(200);
    expect(response.body.items.length).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(response.body)).not.toMatch(/\$scrypt\$/);
  });

  it.each(['admin', 'investigator', 'coordinator'] as const)('refuses the %s role with 403 problem details', async (role) => {
    const response = await get('/api/v1/audit-trail', role).expect(403);
    expect(response.body.code).toBe('AUTH.ROLE_NOT_ALLOWED');
  });

  it('refuses bad filters with 400 and no token with 401', async () => {
    expect((await get('/api/v1/audit-trail?from=yesterday', 'monitor')).status).toBe(400);
    expect((await get('/api/v1/audit-trail?pageSize=5000', 'monitor')).status).toBe(400);
    expect((await request(api.http).get('/api/v1/audit-trail')).status).toBe(401);
  });

  it('when a type filter names a type the ledger does not write, then 400 AUDIT.UNKNOWN_EVENT_TYPE with a hint, and an export records nothing', async () => {
    const typo = await get('/api/v1/audit-trail?subject=S001&type=EntryVoided,EntryCorected', 'monitor').expect(400);
    expect(typo.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(typo.body).toMatchObject({ code: 'AUDIT.UNKNOWN_EVENT_TYPE', status: 400, unknownTypes: ['EntryCorected'] });
    expect(typo.body.detail).toContain('did you mean EntryCorrected?');
    expect(typo.body.knownTypes).toContain('EntryCorrected');
    const head = await api.headPosition();
    const exported = await get('/api/v1/exports/audit-trail?format=csv&type=entrycorrected', 'regulator').expect(400);
    expect(exported.body).toMatchObject({ code: 'AUDIT.UNKNOWN_EVENT_TYPE', unknownTypes: ['entrycorrected'] });
    expect(await api.headPosition()).toBe(head);
    // A known type with no entries is an answer, not a refusal.
    expect((await get('/api/v1/audit-trail?type=SubjectDied', 'monitor').expect(200)).body.items).toEqual([]);
  });

  it('streams the audit trail as CSV and ODM 1.3.2 that validates', async () => {
    const csv = await get('/api/v1/exports/audit-trail?format=csv&subject=S002', 'regulator').expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(parseCsv(csv.text).map((r) => r.event_type)).toEqual(['SubjectScreened', 'EligibilityConfirmed', 'SubjectEnrolled', 'SubjectAddedToRoster', 'AdverseEventReported']);
    expect((await get('/api/v1/exports/audit-trail?format=pdf', 'regulator')).status).toBe(400);
    const odm = await get('/api/v1/exports/odm', 'monitor').buffer(true).parse((res, done) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => done(null, body));
    }).expect(200);
    expect(odm.headers['content-type']).toContain('application/xml');
    expect((await validateOdmXml(odm.body as string)).valid).toBe(true);
  });

  it('given an ODM export of a study the ledger does not hold, then 404 STUDY.NOT_FOUND as a problem, not an empty 200 export', async () => {
    const response = await get('/api/v1/exports/odm?study=LANR-HGNET-O1', 'regulator').expect(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ code: 'STUDY.NOT_FOUND', studyId: 'LANR-HGNET-O1' });
  });

  it.each([
    ['/api/v1/exports/audit-trail?format=csv&subject=NOPE', { code: 'SUBJECT.NOT_FOUND', subjectId: 'NOPE' }],
    [`/api/v1/exports/audit-trail?format=json&study=${STUDY_ID}&subject=NOPE`, { code: 'SUBJECT.NOT_FOUND', studyId: STUDY_ID, subjectId: 'NOPE' }],
    ['/api/v1/exports/audit-trail?format=csv&study=TYPO', { code: 'STUDY.NOT_FOUND', studyId: 'TYPO' }],
    ['/api/v1/exports/audit-trail?format=csv&user=nobody', { code: 'IDENTITY.USER_NOT_FOUND', username: 'nobody' }],
  ])('given an audit-trail export of a subject or study the ledger does not hold (%s), then 404 and nothing recorded, as the report refuses it', async (path, problem) => {
    const head = await api.headPosition();
    const response = await get(path, 'regulator').expect(404);
    expect(response.body).toMatchObject(problem);
    expect(await api.headPosition()).toBe(head);
  });

  it.each(['/api/v1/exports/audit-trail?format=csv&from=2026-12-31&to=2026-01-01', '/api/v1/audit-trail?from=2026-12-31T00:00:00Z&to=2026-12-30'])(
    'given a time window whose from lies after its to (%s), then 400 AUDIT.INVALID_FILTER, as the review refuses it, and nothing recorded',
    async (path) => {
      const head = await api.headPosition();
      expect((await get(path, 'regulator').expect(400)).body).toMatchObject({ code: 'AUDIT.INVALID_FILTER' });
      expect(await api.headPosition()).toBe(head);
    },
  );

  it('given an audit-trail export by the system actor, then it is served: the system is a recorder without an account', async () => {
    expect((await get('/api/v1/exports/audit-trail?format=json&user=system', 'regulator').expect(200)).headers['content-type']).toContain('application/json');
  });

  it('given the audit-trail query of an unknown subject, then an empty page: a search that finds nothing, recorded nowhere', async () => {
    expect((await get('/api/v1/audit-trail?subject=NOPE', 'regulator').expect(200)).body.items).toEqual([]);
  });

  it.each([
    '/api/v1/exports/odm?study=',
    '/api/v1/exports/audit-trail?format=csv&study=',
    '/api/v1/exports/audit-trail?format=csv&subject=',
    '/api/v1/audit-trail?user=',
    '/api/v1/audit-trail?subject=',
  ])('given an empty filter value (%s), then 400 VALIDATION.FAILED naming it, and no export of the whole ledger is made or recorded', async (path) => {
    const head = await api.headPosition();
    const response = await get(path, 'regulator').expect(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION.FAILED' });
    expect(JSON.stringify(response.body)).toMatch(/must not be empty/);
    expect(await api.headPosition()).toBe(head);
  });

  it('verifies the ledger, and reports damage as a finding (200, ok: false) naming the position', async () => {
    const intact = await get('/api/v1/ledger/verification', 'regulator').expect(200);
    expect(intact.body).toMatchObject({ ok: true, fault: null, anchored: false, trust: { statement: expect.stringContaining('not anchored') } });
    const attacker = new SqliteAttacker(api.store.filename);
    attacker.exec(`UPDATE events SET data = replace(data, '"doseMg":12', '"doseMg":120') WHERE event_id = ?`, seeded.doseToCorrect.eventId);
    attacker.close();
    const damaged = await get('/api/v1/ledger/verification', 'monitor').expect(200);
    expect(damaged.body).toMatchObject({ ok: false, fault: { position: seeded.doseToCorrect.globalPosition, damage: 'content-altered' } });
  });
});
