import request from 'supertest';
import { enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

/**
 * The viewer at the HTTP edge, as an outside attacker and a hostile page on a sibling host would reach
 * it: cookie flags behind a TLS-terminating proxy, requests another origin makes a signed-in browser
 * send, framing. Over HTTP with supertest (no browser needed: the headers are what a browser sends).
 */
describe('viewer edge: cookies behind a proxy, requests from other origins, framing', () => {
  let api: ApiTestApp;
  const session = (role: 'monitor'): string => `tl_viewer_session=${api.tokens[role]}`;

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

  it('forbids framing of every viewer response with both headers (X-Frame-Options DENY as frame-ancestors none)', async () => {
    for (const path of ['/viewer/login', `/viewer/studies/${STUDY}`, '/viewer/no-such-page']) {
      const response = await request(api.http).get(path).set('Cookie', session('monitor'));
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['x-frame-options']).toBe('DENY');
    }
  });
});
