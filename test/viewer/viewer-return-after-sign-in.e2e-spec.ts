import request from 'supertest';
import { enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

/**
 * A session that expires while a monitor fills the trail's filters (or follows a link to a casebook) sends the browser
 * to sign in; the page asked for — its address with the filters typed — is carried through the sign-in and opened
 * once signed in. It used to be the studies list, the filters lost. Only an address of the viewer's own pages is
 * carried: anything else (another host, `//host`, a backslash, the API) signs in to the studies list.
 */
describe('viewer: back to the page asked for after signing in again', () => {
  let api: ApiTestApp;
  const TRAIL = `/viewer/studies/${STUDY}/audit-trail?subject=S001&changesOnly=1`;

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => {
    await api?.close();
  });

  const signIn = async (next: string | null): Promise<string | undefined> => {
    const form = await request(api.http).get(`/viewer/login${next === null ? '' : `?next=${encodeURIComponent(next)}`}`).expect(200);
    const pre = (form.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
    const kept = /name="next" value="([^"]*)"/.exec(form.text)?.[1];
    const fields: Record<string, string> = { _csrf: csrf, username: 'mona', password: 'monitor passphrase 0001' };
    if (kept !== undefined) fields.next = kept.replace(/&amp;/g, '&');
    const posted = await request(api.http).post('/viewer/login').set('Cookie', pre).type('form').send(fields).expect(303);
    return posted.headers.location;
  };

  it('an ended session is sent to sign in with the page it asked for, and signing in opens that page', async () => {
    const page = await request(api.http).get(TRAIL).set('Cookie', 'tl_viewer_session=ended-long-ago').expect(303);
    expect(page.headers.location).toBe(`/viewer/login?session=ended&next=${encodeURIComponent(TRAIL)}`);
    expect(await signIn(TRAIL)).toBe(TRAIL);
  });

  it('a browser without a session, following a link to a casebook, is sent to sign in and then to the casebook', async () => {
    const casebook = `/viewer/studies/${STUDY}/subjects/S001`;
    const page = await request(api.http).get(casebook).expect(303);
    expect(page.headers.location).toBe(`/viewer/login?next=${encodeURIComponent(casebook)}`);
    expect(await signIn(casebook)).toBe(casebook);
  });

  it.each([`/viewer/studies/${STUDY}/audit-trail/export?format=csv`, '/viewer/login?session=ended', '//evil.example/viewer/x', 'https://evil.example/viewer', '/\\evil.example', '/api/v1/users', '/viewer/../api/v1/users', '/viewer/x\nSet-Cookie: a=b', 'viewer/studies'])(
    'an address %j that is not one of the viewer pages is not carried by the sign-in form',
    async (next) => {
      const form = await request(api.http).get(`/viewer/login?next=${encodeURIComponent(next)}`).expect(200);
      expect(form.text).not.toContain('name="next"');
    },
  );

  it('a sign-in posted with another address than a viewer page opens the studies list', async () => {
    const form = await request(api.http).get('/viewer/login').expect(200);
    const pre = (form.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
    const posted = await request(api.http)
      .post('/viewer/login')
      .set('Cookie', pre)
      .type('form')
      .send({ _csrf: csrf, username: 'mona', password: 'monitor passphrase 0001', next: '//evil.example/viewer' })
      .expect(303);
    expect(posted.headers.location).toBe('/viewer');
  });
});
