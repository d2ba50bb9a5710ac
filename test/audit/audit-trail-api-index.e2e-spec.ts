import { PassThrough } from 'node:stream';
import request from 'supertest';
import { auditTrail, auditTrailPage, writeAuditTrail, type AuditTrailFilter } from '@trial-ledger/audit';
import type { Role } from '@trial-ledger/domain';
import { AuditTrailIndexService } from '../../apps/api/src/projections/audit-trail-index.service';
import { bodies, enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

/**
 * `GET /api/v1/audit-trail` and `GET /api/v1/exports/audit-trail` read the audit-trail index (one
 * indexed read per page instead of a pass over the log) and answer exactly what the log gives.
 */
describe('the API audit trail, read from the audit-trail index', () => {
  let api: ApiTestApp;
  let index: AuditTrailIndexService;
  const subjects = `/api/v1/studies/${STUDY}/subjects`;
  const post = (path: string, role: Role, body: object) => request(api.http).post(path).set('Authorization', api.auth(role)).send(body);
  const get = (path: string, role: Role = 'regulator') => request(api.http).get(path).set('Authorization', api.auth(role));

  beforeAll(async () => {
    api = await startApiTestApp();
    index = api.app.get(AuditTrailIndexService);
    await enrolledSubject(api, 'S001');
    await enrolledSubject(api, 'S002');
    const dose = (await post(`${subjects}/S001/doses`, 'coordinator', bodies.dose(1, '2026-03-06')).expect(201)).body.eventIds[0] as string;
    await post(`${subjects}/S001/corrections`, 'coordinator', { targetEventId: dose, changes: { administeredOn: '2026-03-07' }, reason: 'pharmacy log' }).expect(201);
    const second = (await post(`${subjects}/S002/doses`, 'coordinator', bodies.dose(1, '2026-03-08')).expect(201)).body.eventIds[0] as string;
    // A query about S002 (its stream names no subject; its QueryOpened does) and an SDV of S001's dose.
    await post(`/api/v1/studies/${STUDY}/queries`, 'monitor', { subjectId: 'S002', targetEventId: second, fieldPath: 'administeredOn', text: 'Please check the date' }).expect(201);
    await post(`${subjects}/S002/voids`, 'coordinator', { targetEventId: second, reason: 'entered for the wrong subject' }).expect(201);
    await post(`${subjects}/S001/source-verifications`, 'monitor', { targetEventId: dose }).expect(201);
  });
  afterAll(() => api.close());

  const asQuery = (filter: Record<string, string | number>): string => new URLSearchParams(Object.entries(filter).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const toFilter = (q: Record<string, string | number>): AuditTrailFilter => ({
    ...(q.study !== undefined ? { studyId: String(q.study) } : {}),
    ...(q.subject !== undefined ? { subjectId: String(q.subject) } : {}),
    ...(q.user !== undefined ? { user: String(q.user) } : {}),
    ...(q.from !== undefined ? { from: String(q.from) } : {}),
    ...(q.to !== undefined ? { to: String(q.to) } : {}),
    ...(q.type !== undefined ? { type: String(q.type) } : {}),
  });

  const FILTERS: Array<Record<string, string | number>> = [
    {},
    { study: STUDY },
    { subject: 'S001' },
    { subject: 'S002' },
    { study: STUDY, subject: 'S002' },
    { study: 'LANR-HGNET-99' },
    { type: 'EntryCorrected,EntryVoided' },
    { type: 'QueryOpened,RecordSourceVerified' },
    { user: 'mona' },
    { from: '2026-09-01', to: '2026-09-01' },
    { to: '2020-01-01' },
    { pageSize: 7 },
    { pageSize: 7, page: 3 },
    { study: STUDY, pageSize: 5, page: 2 },
    { page: 99 },
  ];

  it.each(FILTERS.map((f) => [asQuery(f) || '(no filter)', f] as const))('answers ?%s from the index with the rows the log gives', async (_name, query) => {
    const caughtUp = jest.spyOn(index, 'caughtUpTo');
    try {
      const body = (await get(`/api/v1/audit-trail?${asQuery(query)}`).expect(200)).body;
      const expected = await auditTrailPage(api.store, toFilter(query), Number(query.page ?? 1), Number(query.pageSize ?? 100));
      expect(body).toEqual(JSON.parse(JSON.stringify(expected)));
      expect(await caughtUp.mock.results[0]?.value).not.toBeNull();
    } finally {
      caughtUp.mockRestore();
    }
  });

  it('the trail is not empty where it should not be (the comparison above compares something)', async () => {
    const s002 = (await get('/api/v1/audit-trail?subject=S002&pageSize=1000').expect(200)).body.items as Array<{ eventType: string; subjectId: string }>;
    expect(s002.map((r) => r.eventType)).toEqual(expect.arrayContaining(['SubjectScreened', 'EntryVoided', 'QueryOpened']));
    expect(s002.every((r) => r.subjectId === 'S002')).toBe(true);
  });

  it.each(['csv', 'json'] as const)('streams the %s download from the index, bound to its recorded position, as the log gives it', async (format) => {
    const caughtUp = jest.spyOn(index, 'caughtUpTo');
    try {
      const response = await get(`/api/v1/exports/audit-trail?format=${format}&study=${STUDY}&subject=S001`).buffer(true).parse((res, done) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => done(null, text));
      }).expect(200);
      const recorded = (await api.store.readStream(`exports-${STUDY}`)).at(-1)!;
      const out = new PassThrough();
      let expected = '';
      out.on('data', (c: Buffer) => (expected += c.toString('utf8')));
      await writeAuditTrail(auditTrail(api.store, { studyId: STUDY, subjectId: 'S001', throughPosition: Number(recorded.data.throughPosition) }), out, format);
      expect(response.body).toBe(expected);
      expect(await caughtUp.mock.results[0]?.value).not.toBeNull();
    } finally {
      caughtUp.mockRestore();
    }
  });

  it('with the index stopped short of the head, answers from the log after the wait for a position: the same rows', async () => {
    await index.indexer.stop();
    const caughtUp = jest.spyOn(index, 'caughtUpTo');
    try {
      await post(`${subjects}/S002/adverse-events`, 'coordinator', { term: 'diarrhoea', onsetDate: '2026-03-09', ctcaeGrade: 1, serious: false, relatedness: 'possibly related' }).expect(201);
      const body = (await get('/api/v1/audit-trail?subject=S002&pageSize=1000').expect(200)).body;
      expect(body).toEqual(JSON.parse(JSON.stringify(await auditTrailPage(api.store, { subjectId: 'S002' }, 1, 1000))));
      expect(body.items.at(-1).eventType).toBe('AdverseEventReported');
      expect(await caughtUp.mock.results[0]?.value).toBeNull();
    } finally {
      caughtUp.mockRestore();
      await index.indexer.start();
    }
  });

  it('refuses bad pages and filters before reading anything', async () => {
    expect((await get('/api/v1/audit-trail?page=0')).body.code).toBeDefined();
    expect((await get('/api/v1/audit-trail?page=0')).status).toBe(400);
    expect((await get('/api/v1/audit-trail?to=2026-02-30')).status).toBe(400);
  });
});
