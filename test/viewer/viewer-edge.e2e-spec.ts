import request from 'supertest';
import type { StoredEvent } from '@trial-ledger/event-store';
import { enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

/**
 * The viewer at the HTTP edge, as an outside attacker and a hostile page on a sibling host would reach
 * it: cookie flags behind a TLS-terminating proxy, requests another origin makes a signed-in browser
 * send, framing. Over HTTP with supertest (no browser needed: the headers are what a browser sends).
 */
describe('viewer edge: cookies behind a proxy, requests from other origins, framing', () => {
  let api: ApiTestApp;
  const TRAIL = `/viewer/studies/${STUDY}/audit-trail`;
  const session = (role: 'monitor' | 'admin'): string => `tl_viewer_session=${api.tokens[role]}`;
  const recorded = async (before: number, type: string): Promise<StoredEvent[]> => (await api.eventsAfter(before)).filter((e) => e.type === type);

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => {
    await api?.close();
  });

  describe('behind a TLS-terminating reverse proxy (serve speaks plain HTTP)', () => {
    const cookiesOf = (response: request.Response): string[] => [response.headers['set-cookie'] ?? []].flat();
    /** A Set-Cookie's attributes, in any order: `['HttpOnly', 'Path=/viewer', 'SameSite=Strict', 'Secure']`. */
    const attributesOf = (cookie: string | undefined): string[] => (cookie ?? '').split(';').slice(1).map((a) => a.trim()).sort();
    const SECURE = ['HttpOnly', 'Path=/viewer', 'SameSite=Strict', 'Secure'];

    it('sets the sign-in cookies Secure when the proxy says the browser came over HTTPS (X-Forwarded-Proto or Forwarded)', async () => {
      const login = await request(api.http).get('/viewer/login').set('X-Forwarded-Proto', 'https').expect(200);
      const [pre] = cookiesOf(login);
      expect(pre).toMatch(/^tl_viewer_pre=[A-Za-z0-9_-]{43};/);
      expect(attributesOf(pre)).toEqual(SECURE);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)?.[1];
      const signedIn = await request(api.http)
        .post('/viewer/login')
        .set('X-Forwarded-Proto', 'https')
        .set('Cookie', pre.split(';')[0])
        .type('form')
        .send({ _csrf: csrf, username: 'mona', password: 'monitor passphrase 0001' })
        .expect(303);
      expect(attributesOf(cookiesOf(signedIn).find((c) => c.startsWith('tl_viewer_session=')))).toEqual(SECURE);
      const viaForwarded = await request(api.http).get('/viewer/login').set('Forwarded', 'for=192.0.2.7;proto=https;by=203.0.113.1').expect(200);
      expect(attributesOf(cookiesOf(viaForwarded)[0])).toEqual(SECURE);
    });

    it('leaves them without Secure over plain HTTP (loopback), where a Secure cookie would never come back', async () => {
      for (const headers of [{}, { 'X-Forwarded-Proto': 'http' }]) {
        const response = await request(api.http).get('/viewer/login').set(headers).expect(200);
        expect(attributesOf(cookiesOf(response)[0])).toEqual(['HttpOnly', 'Path=/viewer', 'SameSite=Strict']);
      }
    });
  });

  describe('the session cookie named twice (a sibling host tossing its own cookie, or two Cookie headers Node joins)', () => {
    /** Two header lines of one name (superagent sends an array so for Cookie). */
    const twice = (first: string, second: string): string => [first, second] as unknown as string;

    it.each([
      ['two Cookie headers', (a: string, b: string) => twice(a, b)],
      ['one Cookie header naming it twice', (a: string, b: string) => `${a}; ${b}`],
    ])('%s with the viewer session cookie twice: 400 REQUEST.DUPLICATE_COOKIE naming it, for neither session, and nothing is recorded', async (_name, cookie) => {
      const before = await api.headPosition();
      const response = await request(api.http).get(TRAIL).set('Cookie', cookie(session('monitor'), session('admin')));
      expect([response.status, response.body.code, response.body.cookie]).toEqual([400, 'REQUEST.DUPLICATE_COOKIE', 'tl_viewer_session']);
      expect(response.text).not.toContain('Audit trail');
      expect(await api.headPosition()).toBe(before);
    });

    it('the session cookie once, beside another cookie in a second Cookie header, is read as before', async () => {
      const response = await request(api.http).get(TRAIL).set('Cookie', twice(session('monitor'), 'theme=dark'));
      expect(response.status).toBe(200);
    });
  });

  describe('a page of another origin making the signed-in browser send a request (Fetch Metadata)', () => {
    it('records no export for a download another host of the same site asks for (<img src>, a link); the viewer\'s own link still downloads', async () => {
      const url = `${TRAIL}/export?format=csv`;
      for (const [site, mode, dest] of [['same-site', 'no-cors', 'image'], ['same-site', 'navigate', 'document'], ['cross-site', 'navigate', 'document']]) {
        const before = await api.headPosition();
        const refused = await request(api.http).get(url).set('Cookie', session('monitor')).set({ 'Sec-Fetch-Site': site, 'Sec-Fetch-Mode': mode, 'Sec-Fetch-Dest': dest }).expect(403);
        expect(refused.type).toBe('text/html');
        expect(refused.text).toContain('VIEWER.CROSS_SITE_REQUEST');
        expect(await api.eventsAfter(before)).toEqual([]);
      }
      const before = await api.headPosition();
      const own = await request(api.http).get(url).set('Cookie', session('monitor')).set({ 'Sec-Fetch-Site': 'same-origin', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'document' }).expect(200);
      expect(own.type).toBe('text/csv');
      expect(await recorded(before, 'DataExported')).toHaveLength(1);
    });

    it("records no refusal in an administrator's name for a study page another origin's page fetches", async () => {
      const before = await api.headPosition();
      const refused = await request(api.http)
        .get(`/viewer/studies/${STUDY}`)
        .set('Cookie', session('admin'))
        .set({ 'Sec-Fetch-Site': 'same-site', 'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Dest': 'image' })
        .expect(403);
      expect(refused.text).toContain('VIEWER.CROSS_SITE_REQUEST');
      expect(await api.eventsAfter(before)).toEqual([]);
    });

    it('still opens a page from a link followed on another host of the site (a GET navigation), and a typed address', async () => {
      for (const site of ['same-site', 'cross-site', 'none']) {
        const page = await request(api.http).get(`/viewer/studies/${STUDY}`).set('Cookie', session('monitor')).set({ 'Sec-Fetch-Site': site, 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'document' });
        expect(page.status).toBe(200);
      }
    });

    it('refuses a sign-in form posted from another origin before its token or password is looked at', async () => {
      const before = await api.headPosition();
      const refused = await request(api.http)
        .post('/viewer/login')
        .set({ 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'document' })
        .type('form')
        .send({ _csrf: 'x', username: 'mona', password: 'wrong password 1' })
        .expect(403);
      expect(refused.text).toContain('VIEWER.CROSS_SITE_REQUEST');
      expect(await api.eventsAfter(before)).toEqual([]);
    });
  });

  it('ends the session a browser already had when it signs in again, so only the newest sign-in stays valid', async () => {
    const signIn = async (cookie: string | null): Promise<string> => {
      const form = await request(api.http).get('/viewer/login').expect(200);
      const pre = [form.headers['set-cookie'] ?? []].flat()[0].split(';')[0];
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1];
      const signedIn = await request(api.http)
        .post('/viewer/login')
        .set('Cookie', [pre, ...(cookie ? [`tl_viewer_session=${cookie}`] : [])].join('; '))
        .type('form')
        .send({ _csrf: csrf, username: 'mona', password: 'monitor passphrase 0001' })
        .expect(303);
      const set = [signedIn.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('tl_viewer_session='))!;
      return decodeURIComponent(set.split(';')[0].slice('tl_viewer_session='.length));
    };
    const first = await signIn(null);
    const study = (token: string) => request(api.http).get(`/api/v1/studies/${STUDY}`).set('Authorization', `Bearer ${token}`);
    expect((await study(first)).status).toBe(200);
    const second = await signIn(first);
    expect(second).not.toBe(first);
    expect((await study(first)).status).toBe(401);
    expect((await study(second)).status).toBe(200);
  });

  it('forbids framing of every viewer response with both headers (X-Frame-Options DENY as frame-ancestors none)', async () => {
    for (const path of ['/viewer/login', `/viewer/studies/${STUDY}`, '/viewer/no-such-page']) {
      const response = await request(api.http).get(path).set('Cookie', session('monitor'));
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['x-frame-options']).toBe('DENY');
    }
  });
});
