import request from 'supertest';
import { startApiTestApp, type ApiTestApp } from '../api/support/api-test-app';
import { buildPfsDiffLedger, type PfsDiffLedger } from './support/pfs-diff-ledger';

const STUDY = 'LANR-HGNET-01';

describe('GET /api/v1/studies/:studyId/pfs/diff (endpoint provenance over HTTP)', () => {
  let api: ApiTestApp;
  let ledger: PfsDiffLedger;

  beforeAll(async () => {
    api = await startApiTestApp();
    ledger = await buildPfsDiffLedger(api.store, api.clock, 'compressed');
  });
  afterAll(() => api.close());

  const get = (query: string, role: Parameters<ApiTestApp['auth']>[0] = 'monitor', study = STUDY) =>
    request(api.http).get(`/api/v1/studies/${study}/pfs/diff?${query}`).set('Authorization', api.auth(role));

  it('answers the diff from the interim: four subjects, each with the event that moved it', async () => {
    const response = await get(`fromKnownAt=${ledger.interimAt}`).expect(200);

    expect(response.body.verdict).toBe('4 subjects changed: 2 late entries, 1 correction, 1 void.');
    const causes = Object.fromEntries(response.body.subjects.map((s: { subjectId: string; causes: Array<{ eventId: string }> }) => [s.subjectId, s.causes.map((c) => c.eventId)]));
    expect(causes).toEqual({
      S001: [ledger.lateProgression.eventId],
      S002: [ledger.correction.eventId],
      S003: [ledger.voidEvent.eventId],
      S004: [ledger.death.eventId],
    });
  });

  it('is open to the site and the reviewers, by position too', async () => {
    const head = await api.headPosition();
    for (const role of ['coordinator', 'investigator', 'regulator'] as const) {
      const response = await get(`fromPosition=${ledger.lateProgression.globalPosition - 1}&toPosition=${head}`, role).expect(200);
      expect(response.body.subjects).toHaveLength(4);
    }
  });

  it('answers a first side before the study was registered with an empty first analysis, labelled so; 404 when neither side knows the study', async () => {
    const response = await get('fromPosition=0').expect(200);

    expect(response.body.from).toMatchObject({ position: 0, studyRegistered: false });
    expect(response.body.before.n).toBe(0);
    expect(response.body.subjects.every((s: { change: string }) => s.change === 'entered')).toBe(true);
    expect(response.body.verdict).toMatch(/^At the first side the study was not yet registered\./);
    const neither = await get('fromPosition=0&toPosition=0');
    expect([neither.status, neither.body.code]).toEqual([404, 'STUDY.NOT_FOUND']);
  });

  it('refuses the admin (403), a malformed position or cutoff (400), a missing first side (400) and an unknown study (404), as problems with codes', async () => {
    expect((await get(`fromKnownAt=${ledger.interimAt}`, 'admin')).status).toBe(403);
    const badPosition = await get('fromPosition=-1');
    expect([badPosition.status, badPosition.body.code]).toEqual([400, 'VALIDATION.FAILED']);
    expect((await get('fromCutoff=2026-02-30&toCutoff=2026-12-31')).status).toBe(400);
    const noSide = await get('toKnownAt=2026-12-31T00:00:00Z');
    expect([noSide.status, noSide.body.code, noSide.headers['content-type']]).toEqual([400, 'PFS_DIFF.INVALID_OPTIONS', expect.stringContaining('application/problem+json')]);
    expect((await get(`fromKnownAt=${ledger.interimAt}`, 'monitor', 'NOPE')).body.code).toBe('STUDY.NOT_FOUND');
    expect((await get(`fromKnownAt=${ledger.interimAt}&unknown=1`)).status).toBe(400);
  });
});
