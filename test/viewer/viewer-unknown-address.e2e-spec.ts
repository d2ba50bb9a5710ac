import request from 'supertest';
import { VIEWER_CSP } from '../../apps/api/src/viewer/viewer.module';
import { startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

/**
 * An address under /viewer that no page serves answers the viewer's own 404 page (HTML, the viewer's
 * CSP), as a mistyped link in a browser should; every other unknown address keeps the API's problem.
 */
describe('viewer: an unknown address under /viewer', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    api = await startApiTestApp();
  });
  afterAll(async () => {
    await api?.close();
  });

  it.each([['/viewer/nope'], [`/viewer/studies/${STUDY}/nope`], [`/viewer/studies/${STUDY}/subjects/S001/nope?asKnownAt=2026-01-01`]])('%s: the viewer\'s HTML 404 page with its CSP', async (url) => {
    const page = await request(api.http).get(url).set('Cookie', `tl_viewer_session=${api.tokens.monitor}`).expect(404);
    expect(page.type).toBe('text/html');
    expect(page.text).toContain('ROUTE.NOT_FOUND');
    expect(page.text).toContain('<title>');
    expect(page.headers['content-security-policy']).toBe(VIEWER_CSP);
  });

  it('without a session too (nothing is read, so nothing to sign in for)', async () => {
    const page = await request(api.http).get('/viewer/nope').expect(404);
    expect(page.type).toBe('text/html');
    expect(page.headers['content-security-policy']).toBe(VIEWER_CSP);
  });

  it('keeps the JSON problem outside /viewer (an unknown API address, a path that only begins like it)', async () => {
    for (const url of ['/api/v1/nope', '/viewerx/nope']) {
      const problem = await request(api.http).get(url).expect(404);
      expect(problem.type).toBe('application/problem+json');
      expect(JSON.parse(problem.text)).toMatchObject({ code: 'ROUTE.NOT_FOUND', status: 404 });
    }
  });
});
