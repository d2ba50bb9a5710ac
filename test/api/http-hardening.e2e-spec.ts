import request from 'supertest';
import { enrolledSubject, STUDY, startApiTestApp, type ApiTestApp } from './support/api-test-app';

/** What a browser, a proxy and an attacker see at the HTTP edge, whatever the route answers. */
describe('API edge: security headers, caching and authentication challenges', () => {
  let api: ApiTestApp;
  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => api.close());

  const casebook = `/api/v1/studies/${STUDY}/subjects/S001/casebook`;

  it.each([
    ['a casebook (subject data)', () => request(api.http).get(casebook).set('Authorization', api.auth('investigator')), 200],
    ['a login (a token)', () => request(api.http).post('/api/v1/auth/login').send({ username: 'ivan', password: 'investigator passphrase 1' }), 200],
    ['a refusal', () => request(api.http).get(casebook).set('Authorization', api.auth('admin')), 403],
    ['an unknown route', () => request(api.http).get('/api/v1/no-such-thing'), 404],
    ['the health probe', () => request(api.http).get('/health'), 200],
  ])('%s is answered with helmet security headers and Cache-Control: no-store', async (_what, send, status) => {
    const response = await send().expect(status);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(response.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('a login response carrying a token cannot be stored by any cache', async () => {
    const response = await request(api.http).post('/api/v1/auth/login').send({ username: 'cora', password: 'coordinator passphrase 1' }).expect(200);
    expect(typeof response.body.token).toBe('string');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('when no token is sent, then 401 with WWW-Authenticate: Bearer (RFC 6750) and no error attribute', async () => {
    const response = await request(api.http).get(casebook).expect(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="trial-ledger"');
    expect(response.body.code).toBe('AUTH.UNAUTHENTICATED');
  });

  it('when a forged or revoked token is sent, then 401 with WWW-Authenticate: Bearer error="invalid_token"', async () => {
    const forged = await request(api.http).get(casebook).set('Authorization', 'Bearer forged-token-0000').expect(401);
    expect(forged.headers['www-authenticate']).toBe('Bearer realm="trial-ledger", error="invalid_token"');
    const login = await request(api.http).post('/api/v1/auth/login').send({ username: 'rex', password: 'regulator passphrase 01' }).expect(200);
    await request(api.http).post('/api/v1/auth/logout').set('Authorization', `Bearer ${login.body.token}`).expect((r) => expect(r.status).toBeLessThan(300));
    const revoked = await request(api.http).get('/api/v1/audit-trail').set('Authorization', `Bearer ${login.body.token}`).expect(401);
    expect(revoked.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('when a login fails, then the 401 names the Bearer scheme too', async () => {
    const response = await request(api.http).post('/api/v1/auth/login').send({ username: 'ivan', password: 'not the password at all' }).expect(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="trial-ledger"/);
  });

  it('the OpenAPI document describes the bearer token as opaque, not a JWT', async () => {
    const { body } = await request(api.http).get('/api/docs-json').expect(200);
    const schemes = Object.values(body.components.securitySchemes as Record<string, { scheme: string; bearerFormat?: string; description?: string }>);
    expect(schemes).toHaveLength(1);
    expect(schemes[0]).toMatchObject({ scheme: 'bearer', bearerFormat: 'opaque' });
    expect(schemes[0].description).toMatch(/not a JWT/);
  });

  it('the OpenAPI UI still loads under the content security policy', async () => {
    const page = await request(api.http).get('/api/docs').expect(200);
    const scripts = [...page.text.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    // Every script is same-origin (allowed by script-src 'self'); none is inline.
    expect(page.text).not.toMatch(/<script(?![^>]*src=)[^>]*>\s*\S/);
    for (const src of scripts) expect(src).not.toMatch(/^https?:/);
  });
});
