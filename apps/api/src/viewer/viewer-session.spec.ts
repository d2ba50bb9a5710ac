import fastify from 'fastify';
import { SESSION_COOKIE, ViewerSessions } from './viewer-session';

/** The session cookie as a real Fastify request and reply set it, over plain HTTP and behind TLS. */
const sessionCookieFor = async (headers: Record<string, string>): Promise<string> => {
  // Without `trustProxy`, as `createHttpAdapter` builds the API's (the rate limits count by the TCP peer):
  // the proxy's X-Forwarded-Proto must still make the cookie Secure.
  const app = fastify();
  const sessions = new ViewerSessions();
  app.get('/viewer/login', async (request, reply) => {
    sessions.setCookie(request, reply, SESSION_COOKIE, 'token');
    return 'ok';
  });
  const response = await app.inject({ method: 'GET', url: '/viewer/login', headers });
  await app.close();
  return String(response.headers['set-cookie']);
};

describe('viewer session cookie', () => {
  it('given a request that came over TLS, then the cookie is Secure', async () => {
    expect(await sessionCookieFor({ 'x-forwarded-proto': 'https' })).toMatch(/; Secure/);
    expect(await sessionCookieFor({ 'x-forwarded-proto': 'HTTPS, http' })).toMatch(/; Secure/);
    expect(await sessionCookieFor({ forwarded: 'for="[2001:db8::1]";proto=https' })).toMatch(/; Secure/);
  });

  it('given a plain HTTP request (loopback), then the cookie is not Secure, or it would never come back', async () => {
    const cookie = await sessionCookieFor({});
    expect(cookie).toMatch(/^tl_viewer_session=token; Path=\/viewer; HttpOnly; SameSite=Strict$/);
  });
});
