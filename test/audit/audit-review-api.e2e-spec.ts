import request from 'supertest';
import { enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

describe('GET /api/v1/studies/:studyId/audit-trail/review (monitor and regulator)', () => {
  let api: ApiTestApp;
  let correctionId: string;

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
    const base = `/api/v1/studies/${STUDY}/subjects/S001`;
    const dose = await request(api.http).post(`${base}/doses`).set('Authorization', api.auth('coordinator')).send({ cycle: 1, administeredOn: '2026-03-06', doseMg: 120, route: 'deep-sc', lotNumber: 'LOT-0042', injectionSite: 'left buttock' }).expect(201);
    const doseId = (dose.body.events as Array<{ eventId: string; type: string }>).find((e) => e.type === 'DoseAdministered')?.eventId;
    const correction = await request(api.http).post(`${base}/corrections`).set('Authorization', api.auth('coordinator')).send({ targetEventId: doseId, changes: { lotNumber: 'LOT-0043' }, reason: 'typo' }).expect(201);
    correctionId = (correction.body.events as Array<{ eventId: string }>)[0].eventId;
  });
  afterAll(() => api.close());

  const get = (query: string, role: Parameters<ApiTestApp['auth']>[0] = 'monitor', study = STUDY) =>
    request(api.http).get(`/api/v1/studies/${study}/audit-trail/review${query}`).set('Authorization', api.auth(role));

  it('answers every indicator; the correction with a four-letter reason is a reason-quality finding naming its event', async () => {
    const response = await get('?dataCut=2026-03-05@2026-03-05T00:00:00Z').expect(200);

    expect(response.body.indicators).toHaveLength(14);
    const reasons = response.body.indicators.find((i: { id: string }) => i.id === 'reason-quality');
    expect(reasons.findings).toEqual([expect.objectContaining({ subjectId: 'S001', username: 'cora', eventIds: [correctionId] })]);
    expect(response.body.dataCuts).toEqual([{ cutoff: '2026-03-05', analysedAt: '2026-03-05T00:00:00.000Z' }]);
    const integrity = response.body.indicators.find((i: { id: string }) => i.id === 'trail-integrity');
    expect(integrity.findings.map((f: { summary: string }) => f.summary)).toEqual(['no signed checkpoint given: a truncated or wholly recomputed log would not be detected']);
  });

  it('is open to the regulator, and a window after every event gives no data finding', async () => {
    const response = await get('?from=2030-01-01', 'regulator').expect(200);

    expect(response.body.indicators.filter((i: { findings: unknown[] }) => i.findings.length > 0).map((i: { id: string }) => i.id)).toEqual(['trail-integrity']);
  });

  it('refuses site staff and the admin (403), malformed parameters (400) and an unknown study (404), as problems', async () => {
    for (const role of ['admin', 'coordinator', 'investigator'] as const) expect((await get('', role)).status).toBe(403);
    const badCut = await get('?dataCut=2026-03-05');
    expect([badCut.status, badCut.body.code, badCut.headers['content-type']]).toEqual([400, 'VALIDATION.FAILED', expect.stringContaining('application/problem+json')]);
    expect((await get('?from=yesterday')).status).toBe(400);
    expect((await get('?dataCut=2026-02-30@2026-03-05T00:00:00Z')).body.code).toBe('REVIEW.INVALID_DATA_CUT');
    const future = await get('?dataCut=2026-03-05@2100-01-01T00:00:00Z');
    expect([future.status, future.body.code]).toEqual([400, 'REVIEW.DATA_CUT_IN_FUTURE']);
    expect((await get('?from=2026-05-01&to=2026-04-01')).body.code).toBe('AUDIT.INVALID_FILTER');
    expect((await get('', 'monitor', 'NOPE')).status).toBe(404);
    expect((await get('?subject=S001')).status).toBe(400);
  });
});
