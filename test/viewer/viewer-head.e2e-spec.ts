import request from 'supertest';
import { enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

/**
 * HEAD is a GET without its body, and the viewer answers it as the GET: the same status and headers, and the same
 * record — nothing for a page the reader may open (no read is recorded for a GET either), the same
 * `AuthorizationRefused` for a page the role may not open (the status alone tells whether it opens). An export is
 * the exception: it is recorded before it is served and a HEAD would serve nothing, so a HEAD of it is refused for
 * its method (405) before anything is read or recorded, whoever asks.
 */
describe('viewer: HEAD answers and records as GET does', () => {
  let api: ApiTestApp;
  const cookie = (role: keyof ApiTestApp['tokens']): string => `tl_viewer_session=${api.tokens[role]}`;

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => {
    await api?.close();
  });

  it.each([
    ['/viewer'],
    [`/viewer/studies/${STUDY}`],
    [`/viewer/studies/${STUDY}/subjects?sort=status`],
    [`/viewer/studies/${STUDY}/subjects/S001`],
    [`/viewer/studies/${STUDY}/audit-trail?changesOnly=1`],
  ])('a monitor: HEAD %s answers as GET, without a body, and records nothing', async (url) => {
    const before = await api.headPosition();
    const head = await request(api.http).head(url).set('Cookie', cookie('monitor'));
    const get = await request(api.http).get(url).set('Cookie', cookie('monitor'));
    expect(await api.eventsAfter(before)).toEqual([]);
    expect([head.status, head.headers['content-type'], head.headers['content-security-policy']]).toEqual([get.status, get.headers['content-type'], get.headers['content-security-policy']]);
    expect(head.status).toBe(200);
    expect(head.text ?? '').toBe('');
  });

  it.each([
    ['an administrator, a study page', 'admin', `/viewer/studies/${STUDY}`],
    ['a coordinator, the audit trail', 'coordinator', `/viewer/studies/${STUDY}/audit-trail`],
  ] as const)('%s: HEAD is refused and recorded exactly as GET is', async (_name, role, url) => {
    const recorded = async (method: 'head' | 'get') => {
      const before = await api.headPosition();
      const answer = await request(api.http)[method](url).set('Cookie', cookie(role));
      const events = await api.eventsAfter(before);
      return { status: answer.status, events: events.map((e) => ({ type: e.type, action: (e.data as { action?: string }).action, role: (e.data as { role?: string }).role })) };
    };
    const head = await recorded('head');
    expect(head).toEqual(await recorded('get'));
    expect(head.status).toBe(403);
    expect(head.events).toHaveLength(1);
  });

  it.each(['admin', 'coordinator', 'monitor'] as const)('%s: HEAD of a download is 405 with Allow: GET, and nothing is recorded', async (role) => {
    const before = await api.headPosition();
    for (const format of ['csv', 'odm']) {
      const head = await request(api.http).head(`/viewer/studies/${STUDY}/audit-trail/export?format=${format}`).set('Cookie', cookie(role));
      expect([format, head.status, head.headers.allow]).toEqual([format, 405, 'GET']);
    }
    expect(await api.eventsAfter(before)).toEqual([]);
  });
});
