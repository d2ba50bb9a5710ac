import request from 'supertest';
import { convert } from 'xmlbuilder2';
import { analysePfs } from '@trial-ledger/pfs';
import { startApiTestApp, type ApiTestApp } from '../api/support/api-test-app';
import { STUDY, buildPfsScenario } from './support/pfs-scenario';

const plusMinutes = (instant: string, minutes: number): string => new Date(Date.parse(instant) + minutes * 60_000).toISOString();

describe('PFS and read-model API (GET, bitemporal)', () => {
  let api: ApiTestApp;
  /** Entered at the test app's clock; the interim read a minute later; the correction two minutes later (within the session idle timeout). */
  let interim: string;
  let corrected: string;

  beforeAll(async () => {
    api = await startApiTestApp();
    const entered = api.clock.now();
    interim = plusMinutes(entered, 1);
    corrected = plusMinutes(entered, 2);
    await buildPfsScenario(api.store, api.clock, { enteredAt: entered, correctedAt: corrected });
  });
  afterAll(() => api.close());

  const get = (path: string, role: Parameters<ApiTestApp['auth']>[0] = 'monitor') => request(api.http).get(path).set('Authorization', api.auth(role));

  it('GET /pfs answers the appendix B document; asKnownAt before the correction gives the interim figures', async () => {
    const now = await get(`/api/v1/studies/${STUDY}/pfs`).expect(200);
    expect(Object.keys(now.body)).toEqual(['studyId', 'horizonDays', 'cutoff', 'asKnownAt', 'subjects', 'summary', 'km', 'median', 'rates']);
    expect(now.body.summary).toEqual({ n: 8, events: 4, censored: 4 });
    const interimPfs = await get(`/api/v1/studies/${STUDY}/pfs?asKnownAt=${interim}&cutoff=2026-12-31`, 'regulator').expect(200);
    expect(interimPfs.body).toMatchObject({ asKnownAt: interim, cutoff: '2026-12-31', summary: { events: 3 } });
  });

  it('GET /pfs now answers from the read models the server keeps (no stream read), with the figures the log fold gives; asKnownAt folds the streams', async () => {
    const fromLog = await analysePfs(api.store, STUDY, { cutoff: '2026-12-31' });
    const reads = jest.spyOn(api.store, 'readStream');
    try {
      const now = await get(`/api/v1/studies/${STUDY}/pfs?cutoff=2026-12-31`).expect(200);
      expect(reads).not.toHaveBeenCalled();
      expect(now.body).toEqual(JSON.parse(JSON.stringify(fromLog)));
      await get(`/api/v1/studies/${STUDY}/pfs?asKnownAt=${interim}`).expect(200);
      expect(reads).toHaveBeenCalled();
    } finally {
      reads.mockRestore();
    }
  });

  it('GET /pfs refuses a malformed cutoff (400), an unknown study (404) and the admin role (403)', async () => {
    expect((await get(`/api/v1/studies/${STUDY}/pfs?cutoff=31-12-2026`)).status).toBe(400);
    expect((await get(`/api/v1/studies/${STUDY}/pfs?asKnownAt=tomorrow`)).body.code).toBe('REPLAY.INVALID_AS_KNOWN_AT');
    expect((await get('/api/v1/studies/NOPE/pfs')).status).toBe(404);
    expect((await get(`/api/v1/studies/${STUDY}/pfs`, 'admin')).status).toBe(403);
  });

  it('GET /pfs/km.svg answers an SVG document', async () => {
    const response = await get(`/api/v1/studies/${STUDY}/pfs/km.svg`).buffer(true).parse((res, done) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => done(null, body));
    }).expect(200);
    // As before the move to Fastify, which adds no charset of its own to an SVG.
    expect(response.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect((convert(response.body as string, { format: 'object' }) as { svg: Record<string, string> }).svg['@xmlns']).toBe('http://www.w3.org/2000/svg');
  });

  it('GET /casebook replays the subject as known before and after the correction', async () => {
    const path = `/api/v1/studies/${STUDY}/subjects/S008/casebook`;
    const before = await get(`${path}?asKnownAt=${interim}`, 'investigator').expect(200);
    expect(before.body.casebook.assessments.map((a: { overallResponse: string | null }) => a.overallResponse)).toEqual([null, 'SD', 'SD']);
    const after = await get(`${path}?minPosition=${(await api.store.head()).position}`, 'coordinator').expect(200);
    expect(after.body.casebook.assessments.map((a: { overallResponse: string | null }) => a.overallResponse)).toEqual([null, 'SD', 'PD']);
    expect(after.body.casebook.corrections[0]).toMatchObject({ reason: 'central radiology review', recordedAt: corrected });
    const byPosition = await get(`${path}?position=${before.body.asOf.position}`).expect(200);
    expect(byPosition.body.casebook).toEqual(before.body.casebook);
    expect((await get(`${path}?position=-1`)).status).toBe(400);
    expect((await get(`/api/v1/studies/${STUDY}/subjects/S999/casebook`)).status).toBe(404);
  });

  it('GET /overview serves the subscription-kept read model, and replays it as known at an earlier position', async () => {
    const head = (await api.store.head()).position;
    const current = await get(`/api/v1/studies/${STUDY}/overview?minPosition=${head}`).expect(200);
    expect(current.body.overview).toMatchObject({ studyId: STUDY, enrollment: { enrolled: 8, target: 28 }, screened: 9 });
    expect(current.body.asOf.position).toBe(head);
    const registered = (await api.store.readStream(`study-${STUDY}`))[0].globalPosition;
    const early = await get(`/api/v1/studies/${STUDY}/overview?position=${registered + 10}`).expect(200);
    expect(early.body.overview.enrollment.enrolled).toBeLessThan(8);
    expect((await get(`/api/v1/studies/${STUDY}/overview`, 'admin')).status).toBe(403);
  });
});
