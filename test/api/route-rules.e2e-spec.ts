import request from 'supertest';
import { ROLES } from '@trial-ledger/domain';
import { ROUTE_RULES } from '../../apps/api/src/route-rules';
import { startApiTestApp, STUDY, type ApiTestApp } from './support/api-test-app';

/** `api/v1/studies/:studyId` → `/api/v1/studies/{studyId}` (OpenAPI) and → a concrete URL. */
const openApiPath = (path: string): string => '/' + path.replace(/:(\w+)/g, '{$1}');
const concrete = (path: string): string => '/' + path.replace(':studyId', STUDY).replace(':subjectId', 'S001');

/** Identity's own controllers (auth, users, signatures) carry their roles with `@Roles()` and are tested by identity. */
const IDENTITY_TAGS = new Set(['auth', 'users', 'signatures']);

describe('ROUTE_RULES: the authorization table is complete and enforced', () => {
  let api: ApiTestApp;
  beforeAll(async () => {
    api = await startApiTestApp();
  });
  afterAll(async () => api.close());

  it('every ledger operation in the OpenAPI document is a ROUTE_RULE with the same method and path, and vice versa', async () => {
    const doc = (await request(api.http).get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { operationId?: string; tags?: string[] }>>;
    };
    const served = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, operations]) => Object.entries(operations).map(([method, op]) => ({ method: method.toUpperCase(), path, op })))
      .filter(({ op }) => !(op.tags ?? []).some((tag) => IDENTITY_TAGS.has(tag)))
      .map(({ method, path, op }) => `${op.operationId} ${method} ${path}`)
      .sort();
    const listed = ROUTE_RULES.map((rule) => `${rule.operation} ${rule.method} ${openApiPath(rule.path)}`).sort();
    expect(served).toEqual(listed);
  });

  it('every rule names at least one role, and no clinical route admits the admin', () => {
    for (const rule of ROUTE_RULES) {
      expect(rule.roles.length).toBeGreaterThan(0);
      if (rule.path.includes(':subjectId') || rule.operation === 'ScreenSubject') expect({ op: rule.operation, admin: rule.roles.includes('admin') }).toEqual({ op: rule.operation, admin: false });
    }
  });

  it.each(ROUTE_RULES.map((rule) => [rule.operation, rule] as const))('%s: each role outside the rule gets 403 before anything else; each role inside gets past the guard', async (_name, rule) => {
    for (const role of ROLES) {
      const call = rule.method === 'GET' ? request(api.http).get(concrete(rule.path)) : request(api.http).post(concrete(rule.path)).send({});
      const response = await call.set('Authorization', api.auth(role));
      if (rule.roles.includes(role)) {
        expect({ role, status: response.status }).not.toEqual({ role, status: 403 });
        expect(response.status).not.toBe(401);
      } else {
        expect({ role, status: response.status, code: response.body.code }).toEqual({ role, status: 403, code: 'AUTH.ROLE_NOT_ALLOWED' });
      }
    }
  });
});
