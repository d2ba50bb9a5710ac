import request from 'supertest';
import { bodies, enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

/**
 * SPEC §5: the administrator manages users and study set-up and never sees clinical data. The study
 * resource and its stream's history serve both; the administrator gets the set-up part only.
 */
describe('the administrator reads the study set-up, never its roster', () => {
  let api: ApiTestApp;
  const study = `/api/v1/studies/${STUDY}`;
  const get = (path: string, role: 'admin' | 'monitor' | 'investigator', query: Record<string, string> = {}) =>
    request(api.http).get(path).query(query).set('Authorization', api.auth(role));

  beforeAll(async () => {
    api = await startApiTestApp();
    await request(api.http).post('/api/v1/studies').set('Authorization', api.auth('admin')).send({}).expect(201);
    await enrolledSubject(api, 'S001');
    await enrolledSubject(api, 'S002');
    await request(api.http).post(`${study}/lock`).set('Authorization', api.auth('admin')).send({ reason: 'interim analysis' }).expect(201);
  });
  afterAll(async () => api.close());

  it('GET the study as admin: protocol, amendments, lock state and the ETag of the stream; no roster member at all', async () => {
    expect(bodies.enroll().enrollmentDate).toBe('2026-03-05'); // the date the answers below must not hold
    const monitor = await get(study, 'monitor').expect(200);
    expect(monitor.body.roster.map((r: { subjectId: string }) => r.subjectId)).toEqual(['S001', 'S002']);

    const admin = await get(study, 'admin').expect(200);
    expect(Object.keys(admin.body).sort()).toEqual(['lockReason', 'protocol', 'protocolHistory', 'status', 'streamVersion', 'studyId']);
    expect(admin.body).toMatchObject({ studyId: STUDY, status: 'locked', lockReason: 'interim analysis', protocol: monitor.body.protocol, protocolHistory: monitor.body.protocolHistory });
    // The ETag is the stream's own, so the administrator's If-Match on unlock or amendment still works.
    expect(admin.headers.etag).toBe(monitor.headers.etag);
    expect(admin.body.streamVersion).toBe(monitor.body.streamVersion);
    expect(JSON.stringify(admin.body)).not.toMatch(/S00[12]|2026-03-05/);
    await request(api.http).post(`${study}/unlock`).set('Authorization', api.auth('admin')).set('If-Match', admin.headers.etag).send({ reason: 'queries resolved' }).expect(201);
  });

  it('GET the study events as admin: the set-up events only, paged over the roster entries between them', async () => {
    const all = await get(`${study}/events`, 'investigator').expect(200);
    expect(all.body.events.map((e: { type: string }) => e.type)).toEqual(['StudyRegistered', 'SubjectAddedToRoster', 'SubjectAddedToRoster', 'StudyLocked', 'StudyUnlocked']);

    const admin = await get(`${study}/events`, 'admin').expect(200);
    expect(admin.body.events.map((e: { type: string; streamVersion: number }) => [e.type, e.streamVersion])).toEqual([['StudyRegistered', 1], ['StudyLocked', 4], ['StudyUnlocked', 5]]);
    expect(admin.body).toMatchObject({ streamId: `study-${STUDY}`, streamVersion: 5, nextAfterVersion: null });
    expect(admin.headers.etag).toBe('"5"');
    expect(JSON.stringify(admin.body)).not.toMatch(/S00[12]|2026-03-05|SubjectAddedToRoster/);

    // Paging one event at a time skips the roster entries and ends on the last set-up event.
    const first = await get(`${study}/events`, 'admin', { limit: '1' }).expect(200);
    expect(first.body.events.map((e: { streamVersion: number }) => e.streamVersion)).toEqual([1]);
    expect(first.body.nextAfterVersion).toBe(1);
    const second = await get(`${study}/events`, 'admin', { limit: '1', afterVersion: '1' }).expect(200);
    expect(second.body.events.map((e: { streamVersion: number }) => e.streamVersion)).toEqual([4]);
    expect(second.body.nextAfterVersion).toBe(4);
    const last = await get(`${study}/events`, 'admin', { limit: '1', afterVersion: '4' }).expect(200);
    expect(last.body.events.map((e: { streamVersion: number }) => e.streamVersion)).toEqual([5]);
    expect(last.body.nextAfterVersion).toBeNull();
  });

  it('the clinical readers still page the whole stream', async () => {
    const page = await get(`${study}/events`, 'monitor', { limit: '2' }).expect(200);
    expect(page.body.events.map((e: { streamVersion: number }) => e.streamVersion)).toEqual([1, 2]);
    expect(page.body.nextAfterVersion).toBe(2);
  });
});
