import request from 'supertest';
import { startApiTestApp, type ApiTestApp } from '../api/support/api-test-app';

/**
 * A HEAD of an export would receive nothing, and an export is recorded before it is served: the API answers it
 * 405 (`Allow: GET`) before the session or the role is read, as the viewer does for its downloads, so no
 * `AuthorizationRefused` is recorded of an export that could never have been served.
 */
describe('HEAD of the API export routes', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    api = await startApiTestApp();
  });
  afterAll(async () => api.close());

  it.each([
    ['admin', '/api/v1/exports/odm'],
    ['coordinator', '/api/v1/exports/audit-trail?format=csv'],
    ['investigator', '/api/v1/exports/odm'],
    ['monitor', '/api/v1/exports/audit-trail?format=json'],
    [null, '/api/v1/exports/odm'],
  ] as const)('given the %s role, HEAD %s answers 405 Allow: GET and records nothing', async (role, path) => {
    const before = (await api.eventsAfter(0)).length;
    const head = request(api.http).head(path);
    const response = await (role ? head.set('Authorization', api.auth(role)) : head);
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET');
    expect((await api.eventsAfter(0)).length).toBe(before);
  });
});
