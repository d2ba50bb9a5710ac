import request from 'supertest';
import { DEFAULT_IDENTITY_POLICY, recordConfiguredAccountPolicy } from '@trial-ledger/identity';
import { startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

const HISTORY = '/api/v1/users/history';
const DORA_PASSWORD = 'violet harbour lantern 41';
const DORA_TEMPORARY = 'amber meadow compass 73';

interface Entry {
  eventId: string;
  streamId: string;
  streamVersion: number;
  globalPosition: number;
  type: string;
  recordedBy: string;
  reason: string | null;
  actor: { username: string };
  data: Record<string, unknown>;
}

/** GET /api/v1/users/history (SPEC §5: user management is itself event-sourced and audited). */
describe('The history of user management over HTTP', () => {
  let api: ApiTestApp;

  const history = (role: Parameters<ApiTestApp['auth']>[0], query: Record<string, string | number> = {}) =>
    request(api.http).get(HISTORY).query(query).set('Authorization', api.auth(role));

  beforeAll(async () => {
    api = await startApiTestApp();
    const as = { Authorization: api.auth('admin') };
    await request(api.http).post('/api/v1/users').set(as).send({ username: 'dora', fullName: 'Dora Data', role: 'coordinator', password: DORA_PASSWORD, reason: 'new site staff' }).expect(201);
    // The account policy is recorded in its own stream (at a server's start), between user-management events.
    await recordConfiguredAccountPolicy(api.store, DEFAULT_IDENTITY_POLICY);
    await request(api.http).post('/api/v1/users/dora/role').set(as).send({ role: 'investigator', reason: 'appointed sub-investigator' }).expect(200);
    await recordConfiguredAccountPolicy(api.store, { ...DEFAULT_IDENTITY_POLICY, lockoutMinutes: 45 });
    await request(api.http).post('/api/v1/users/dora/deactivate').set(as).send({ reason: 'on leave' }).expect(200);
    await request(api.http).post('/api/v1/users/dora/reactivate').set(as).send({ reason: 'back from leave' }).expect(200);
    await request(api.http).post('/api/v1/users/dora/password-reset').set(as).send({ newPassword: DORA_TEMPORARY, reason: 'forgotten' }).expect(200);
    await request(api.http).post('/api/v1/auth/login').send({ username: 'dora', password: 'quiet river granite 05' }).expect(401);
    // A regulator may not sign: the refusal names the subject in the path it was refused on.
    await request(api.http).post(`/api/v1/studies/${STUDY}/subjects/S-HIST-7/signatures`).set('Authorization', api.auth('regulator')).send({}).expect(403);
  });

  afterAll(async () => api.close());

  it('the administrator sees every user-management event in order, each naming who did it and why, with no secret material', async () => {
    const response = await history('admin').expect(200);
    const events = response.body.events as Entry[];
    expect(response.body).toMatchObject({ streamIds: ['identity', 'account-policy'], username: null, nextAfterPosition: null });
    expect(response.body.position).toBe(Math.max(...events.map((e) => e.globalPosition)));
    expect(events.map((e) => e.globalPosition)).toEqual([...events.map((e) => e.globalPosition)].sort((a, b) => a - b));
    const dora = events.filter((e) => e.data.username === 'dora' || e.data.attemptedUsername === 'dora');
    expect(dora.map((e) => e.type)).toEqual(['UserCreated', 'UserRoleChanged', 'UserDeactivated', 'UserReactivated', 'PasswordChanged', 'LoginFailed']);
    expect(dora[0]).toMatchObject({ recordedBy: 'Ada Admin (ada, admin)', reason: 'new site staff', data: { fullName: 'Dora Data', role: 'coordinator', passwordHash: '[redacted]' } });
    expect(dora[1]).toMatchObject({ recordedBy: 'Ada Admin (ada, admin)', reason: 'appointed sub-investigator', data: { from: 'coordinator', to: 'investigator' } });
    expect(dora[4]).toMatchObject({ reason: 'forgotten', data: { passwordHash: '[redacted]', mustChange: true } });
    expect(events[0]).toMatchObject({ type: 'UserCreated', recordedBy: 'trial-ledger system (system, admin)', data: { username: 'ada', bootstrap: true } });
    const text = response.text;
    expect(text).not.toMatch(/\$scrypt\$/);
    for (const secret of [DORA_PASSWORD, DORA_TEMPORARY, 'quiet river granite 05', ...Object.values(api.tokens)]) expect(text).not.toContain(secret);
  });

  it('includes the account-policy changes (their own stream) in log order among the identity events, for every role that reads the history', async () => {
    for (const role of ['admin', 'monitor', 'regulator'] as const) {
      const events = (await history(role).expect(200)).body.events as Entry[];
      const policy = events.filter((e) => e.type === 'AccountPolicyChanged');
      expect(policy.map((e) => [e.streamId, e.streamVersion])).toEqual([['account-policy', 1], ['account-policy', 2]]);
      expect(events.filter((e) => e.type !== 'AccountPolicyChanged').every((e) => e.streamId === 'identity')).toBe(true);
      expect(policy[0]).toMatchObject({
        recordedBy: 'trial-ledger system (system, admin)',
        source: 'system',
        reason: 'account policy from the configuration at server start',
        data: { before: null, after: { lockoutMinutes: 30 } },
      });
      // The password rules are part of the record, shown as numbers: their names say "password", they are no secret.
      for (const setting of ['passwordMinLength', 'passwordHistory', 'passwordMaxAgeDays', 'temporaryPasswordHours']) {
        expect(typeof (policy[0].data.after as Record<string, unknown>)[setting]).toBe('number');
      }
      expect(policy[1]).toMatchObject({ data: { before: { lockoutMinutes: 30 }, after: { lockoutMinutes: 45 }, changed: ['lockoutMinutes'] } });
      // Log order: the first change between dora's creation and her new role, the second after it.
      const at = (type: string) => events.findIndex((e) => e.type === type && e.data.username === 'dora');
      expect(events.indexOf(policy[0])).toBeGreaterThan(at('UserCreated'));
      expect(events.indexOf(policy[0])).toBeLessThan(at('UserRoleChanged'));
      expect(events.indexOf(policy[1])).toBeGreaterThan(at('UserRoleChanged'));
      expect(events.indexOf(policy[1])).toBeLessThan(at('UserDeactivated'));
    }
  });

  it('the administrator is not shown the subject a refused request named; an auditor is', async () => {
    const refusedFor = (events: Entry[]) => events.find((e) => e.type === 'AuthorizationRefused' && e.actor.username === 'rex');
    const admin = await history('admin').expect(200);
    expect(admin.text).not.toContain('S-HIST-7');
    expect(refusedFor(admin.body.events)?.data.action).toBe(`POST /api/v1/studies/${STUDY}/subjects/:subjectId/signatures`);
    const monitor = await history('monitor').expect(200);
    expect(refusedFor(monitor.body.events)?.data.action).toBe(`POST /api/v1/studies/${STUDY}/subjects/S-HIST-7/signatures`);
    expect(monitor.text).not.toMatch(/\$scrypt\$/);
    await history('regulator').expect(200);
  });

  it('is refused to the coordinator and the investigator with 403 AUTH.ROLE_NOT_ALLOWED, the refusal recorded', async () => {
    for (const role of ['coordinator', 'investigator'] as const) {
      const before = await api.headPosition();
      const response = await history(role).expect(403);
      expect(response.body.code).toBe('AUTH.ROLE_NOT_ALLOWED');
      expect(JSON.stringify(response.body)).not.toContain('dora');
      expect((await api.eventsAfter(before)).map((e) => e.type)).toEqual(['AuthorizationRefused']);
    }
  });

  it('pages by log position across both streams: limit and afterPosition, nextAfterPosition null on the last page', async () => {
    const all = (await history('admin').expect(200)).body.events as Entry[];
    const paged: Entry[] = [];
    let after = 0;
    for (;;) {
      const page = (await history('admin', { afterPosition: after, limit: 3 }).expect(200)).body;
      expect(page.events.length).toBeLessThanOrEqual(3);
      paged.push(...page.events);
      if (page.nextAfterPosition === null) break;
      expect(page.nextAfterPosition).toBe(page.events.at(-1).globalPosition);
      after = page.nextAfterPosition;
    }
    // The administrator's reads write nothing: the pages hold exactly the whole history, once each.
    expect(all.length).toBeGreaterThan(6);
    expect(paged.map((e) => e.eventId)).toEqual(all.map((e) => e.eventId));
    expect(paged.filter((e) => e.type === 'AccountPolicyChanged')).toHaveLength(2);
    for (const limit of [0, 1001, 'x']) expect((await history('admin', { limit }).expect(400)).body.code).toBe('VALIDATION.FAILED');
    // The identity stream's version is no cursor into two streams: the parameter is refused by name.
    expect((await history('admin', { afterVersion: 2 }).expect(400)).body.code).toBe('VALIDATION.FAILED');
    for (const afterPosition of [-1, 'x', 1.5]) expect((await history('admin', { afterPosition }).expect(400)).body.code).toBe('VALIDATION.FAILED');
  });

  it('?username= keeps the events about that user or recorded by them (case-insensitive)', async () => {
    const response = await history('admin', { username: 'DORA' }).expect(200);
    expect(response.body.username).toBe('dora');
    const events = response.body.events as Entry[];
    expect(events.map((e) => e.type)).toEqual(['UserCreated', 'UserRoleChanged', 'UserDeactivated', 'UserReactivated', 'PasswordChanged', 'LoginFailed']);
    const ada = (await history('admin', { username: 'ada' }).expect(200)).body.events as Entry[];
    expect(ada.filter((e) => e.data.username === 'dora').map((e) => e.type)).toContain('UserRoleChanged');
    expect(ada.every((e) => e.actor.username === 'ada' || e.data.username === 'ada' || e.data.attemptedUsername === 'ada')).toBe(true);
    expect((await history('admin', { username: 'nobody-here' }).expect(200)).body.events).toEqual([]);
  });

  it('is documented in the OpenAPI document with a typed 200 response: the page and each entry, field by field', async () => {
    interface Schema { $ref?: string; type?: string; properties?: Record<string, Schema>; items?: Schema; required?: string[]; nullable?: boolean; enum?: string[] }
    const doc = (await request(api.http).get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>;
      components: { schemas: Record<string, Schema> };
    };
    const resolve = (schema: Schema | undefined): Schema => {
      expect(schema?.$ref).toMatch(/^#\/components\/schemas\//);
      const resolved = doc.components.schemas[(schema?.$ref ?? '').split('/').pop() ?? ''];
      expect(resolved).toBeDefined();
      return resolved;
    };
    const operation = doc.paths['/api/v1/users/history'].get;
    expect(operation.parameters?.filter((p) => p.in === 'query').map((p) => p.name).sort()).toEqual(['afterPosition', 'limit', 'username']);
    const page = resolve(operation.responses['200'].content?.['application/json']?.schema);
    expect(Object.keys(page.properties ?? {}).sort()).toEqual(['events', 'nextAfterPosition', 'position', 'streamIds', 'username']);
    expect(page.properties?.nextAfterPosition).toMatchObject({ type: 'integer', nullable: true });
    expect(page.properties?.events.type).toBe('array');
    const entry = resolve(page.properties?.events.items);
    expect(Object.keys(entry.properties ?? {}).sort()).toEqual(
      ['actor', 'data', 'eventId', 'globalPosition', 'hash', 'reason', 'recordedAt', 'recordedBy', 'source', 'streamId', 'streamVersion', 'type'].sort(),
    );
    expect(entry.properties?.streamId.enum).toEqual(['identity', 'account-policy']);
    expect(Object.keys(resolve(entry.properties?.actor).properties ?? {}).sort()).toEqual(['role', 'userId', 'username']);
    // What the route answers has exactly the documented fields.
    const answer = (await history('monitor', { limit: 1 }).expect(200)).body as Record<string, unknown> & { events: Array<Record<string, unknown>> };
    expect(Object.keys(answer).sort()).toEqual(Object.keys(page.properties ?? {}).sort());
    expect(Object.keys(answer.events[0]).sort()).toEqual(Object.keys(entry.properties ?? {}).sort());
  });

  it('refuses a hostile username and an undeclared parameter with 400 VALIDATION.FAILED, writing nothing', async () => {
    const hostile: Array<Record<string, string>> = [{ username: '<script>alert(1)</script>' }, { username: "x' OR '1'='1" }, { username: '../ada' }, { username: '' }, { user: 'dora' }, { dryRun: 'true' }];
    for (const query of hostile) {
      const before = await api.headPosition();
      const response = await history('admin', query);
      expect({ query, status: response.status, code: response.body.code }).toEqual({ query, status: 400, code: 'VALIDATION.FAILED' });
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(await api.eventsAfter(before)).toEqual([]);
    }
  });
});
