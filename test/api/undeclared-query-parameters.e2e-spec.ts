import request from 'supertest';
import { listRoutes } from '../../apps/api/src/shared/routing/route-inventory';
import { enrolledSubject, STUDY, startApiTestApp, type ApiTestApp } from './support/api-test-app';

/** The field error the DTO whitelist gives an unknown parameter: every route words it the same. */
const unknownParameter = (name: string) => ({ pointer: `/${name}`, field: name, constraint: 'unknownField', detail: `property ${name} should not exist` });

/**
 * Fastify routes outside Nest's controllers, left to take query strings: the OpenAPI UI's assets
 * (swagger-ui asks for them with its own parameters) and the document. Nothing there reads the ledger.
 */
const DOCUMENTATION = /^\/api\/docs(-json|-yaml)?(\/|$)/;

/**
 * A query parameter the route does not declare is refused (400 VALIDATION.FAILED naming it) before
 * anything is read or written, on every route: a past state asked for and the present answered, or a
 * dry run asked for and a real write made, would each mislead the caller.
 */
describe('Query parameters a route does not declare', () => {
  let api: ApiTestApp;
  const subject = `/api/v1/studies/${STUDY}/subjects/S001`;
  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => api.close());

  const refusedWithoutWriting = async (send: () => request.Test, names: readonly string[]): Promise<request.Response> => {
    const head = await api.headPosition();
    const response = await send();
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 400, code: 'VALIDATION.FAILED', errors: names.map(unknownParameter) });
    expect(await api.eventsAfter(head)).toEqual([]);
    return response;
  };

  it('when a subject is asked as known at a past instant (the route takes no such parameter), then 400 naming asKnownAt, not the current state', async () => {
    await refusedWithoutWriting(() => request(api.http).get(`${subject}?asKnownAt=2026-01-01T00:00:00Z`).set('Authorization', api.auth('monitor')), ['asKnownAt']);
    await request(api.http).get(subject).set('Authorization', api.auth('monitor')).expect(200);
  });

  it('when a user is added with ?dryRun=true, then 400 naming dryRun and no user is recorded', async () => {
    const body = { username: 'dora', fullName: 'Dora Dry', role: 'monitor', password: 'a dry run is not a run 9' };
    await refusedWithoutWriting(() => request(api.http).post('/api/v1/users?dryRun=true').set('Authorization', api.auth('admin')).send(body), ['dryRun']);
    const users = await request(api.http).get('/api/v1/users').set('Authorization', api.auth('admin')).expect(200);
    expect(JSON.stringify(users.body)).not.toContain('dora');
  });

  it.each([['__proto__'], ['toString'], ['constructor'], ['hasOwnProperty']])('when a command is sent with a parameter named %s, then it is refused by name like any other', async (name) => {
    await refusedWithoutWriting(() => request(api.http).post(`${subject}/missed-doses?${name}=1`).set('Authorization', api.auth('coordinator')).send({ cycle: 1, dueOn: '2026-03-05', reason: 'unwell' }), [name]);
  });

  it('names every undeclared parameter, a valueless one and a cache-buster included', async () => {
    await refusedWithoutWriting(() => request(api.http).get(`/api/v1/studies/${STUDY}?_=1712&verbose`).set('Authorization', api.auth('monitor')), ['_', 'verbose']);
  });

  it('a caller without a session or the role is answered as for any request (401, 403 and its audit record), whatever its query', async () => {
    expect((await request(api.http).get(`${subject}?zzUnknown=1`).expect(401)).body.code).toMatch(/^AUTH\./);
    const head = await api.headPosition();
    const refused = await request(api.http).post('/api/v1/users?dryRun=true').set('Authorization', api.auth('monitor')).send({}).expect(403);
    expect(refused.body.code).toBe('AUTH.ROLE_NOT_ALLOWED');
    expect((await api.eventsAfter(head)).map((e) => e.type)).toEqual(['AuthorizationRefused']);
  });

  it('a route that declares its parameters still takes them (a DTO: the casebook as known at; the viewer: its sort)', async () => {
    await request(api.http).get(`${subject}/casebook?asKnownAt=2026-09-02T00:00:00Z`).set('Authorization', api.auth('monitor')).expect(200);
    const viewer = await request(api.http).get(`/viewer/studies/${STUDY}/subjects?sort=subjectId&order=desc&zzUnknown=1`).expect(400);
    expect(viewer.headers['content-type']).toMatch(/^text\/html/);
    expect(viewer.text).toContain('VALIDATION.FAILED');
    expect(viewer.text).toContain('property zzUnknown should not exist');
    expect(viewer.text).not.toContain('sort should not exist');
  });

  it('the OpenAPI document and UI, served outside the controllers for swagger-ui, still answer with a query string', async () => {
    await request(api.http).get('/api/docs-json?v=1').expect(200);
    await request(api.http).get('/api/docs/swagger-ui-init.js?v=1').expect(200);
  });

  /**
   * Every route the app serves, as Fastify recorded them, asked with an undeclared parameter as a role
   * it admits: a route added later that forgets to refuse is caught here. `hasOwnProperty` is one every
   * object inherits, which a route's `@Query()` DTO would skip unseen: only the guard refuses it.
   */
  it.each(['zzUnknown', 'hasOwnProperty'])('every served route refuses ?%s=1 (a problem document for the API, the HTML page for the viewer) and writes nothing', async (name) => {
    const rules = new Map(listRoutes(api.app).map((r) => [`${r.method} /${r.path}`, r.roles]));
    const swept = api.servedRoutes.filter((route) => !route.startsWith('HEAD ') && !DOCUMENTATION.test(route.split(' ')[1]));
    const wrong: string[] = [];
    for (const route of swept) {
      const [method, template] = route.split(' ');
      const path = template.replace(':studyId', STUDY).replace(':subjectId', 'S001').replace(/:[A-Za-z]+/g, 'X1');
      const role = rules.get(route)?.[0];
      const head = await api.headPosition();
      let pending = request(api.http)[method.toLowerCase() as 'get' | 'post'](`${path}?${name}=1`);
      if (role) pending = pending.set('Authorization', api.auth(role));
      const response = method === 'GET' ? await pending : await pending.send({});
      const viewer = template.startsWith('/viewer');
      const refused =
        response.status === 400 &&
        (viewer
          ? /^text\/html/.test(String(response.headers['content-type'])) && response.text.includes('VALIDATION.FAILED') && response.text.includes(`property ${name} should not exist`)
          : /^application\/problem\+json/.test(String(response.headers['content-type'])) &&
            response.body.code === 'VALIDATION.FAILED' &&
            JSON.stringify(response.body.errors).includes(JSON.stringify(unknownParameter(name))));
      const written = (await api.eventsAfter(head)).length;
      if (!refused || written > 0) wrong.push(`${route}: ${response.status} ${String(response.body?.code ?? response.headers['content-type'])}, ${written} event(s) written`);
    }
    expect(wrong).toEqual([]);
    // The sweep covered the API, the viewer and health, and left out only the documentation.
    expect(swept.filter((r) => r.includes(' /api/v1/')).length).toBeGreaterThan(40);
    expect(swept.filter((r) => r.includes(' /viewer')).length).toBeGreaterThanOrEqual(9);
    expect(swept.filter((r) => r.includes(' /health')).length).toBeGreaterThanOrEqual(2);
    expect(api.servedRoutes.filter((r) => !r.startsWith('HEAD ') && !swept.includes(r)).every((r) => DOCUMENTATION.test(r.split(' ')[1]))).toBe(true);
  });
});
