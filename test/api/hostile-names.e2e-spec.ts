import request from 'supertest';
import { IDENTITY_STREAM_ID, loadDefaultProtocol, type Role } from '@trial-ledger/domain';
import type { StoredEvent } from '@trial-ledger/event-store';
import { listRoutes } from '../../apps/api/src/shared/routing/route-inventory';
import { MatrixContext, MATRIX_STUDY, ROUTE_FIXTURES } from '../authorization/support/route-fixtures';
import { bodies, startApiTestApp, type ApiTestApp } from './support/api-test-app';

/**
 * Names that are properties of every plain object. A lookup keyed by user input in a `{}` finds
 * `Object.prototype.constructor` for `constructor`; the ledger must treat them as ordinary names:
 * accepted, or refused with a code, never a 500 and never an event written behind an error (#11).
 */
const HOSTILE = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype'] as const;
const PASSWORD = 'hostile names passphrase 1';

interface Probe {
  readonly label: string;
  readonly status: number;
  readonly code: unknown;
  readonly written: readonly StoredEvent[];
}

describe('Hostile names over HTTP: every route that takes a name or an id (#11)', () => {
  let api: ApiTestApp;
  let ctx: MatrixContext;

  beforeAll(async () => {
    api = await startApiTestApp();
    ctx = new MatrixContext(api);
    await ctx.registerMatrixStudy();
  });
  afterAll(() => api.close());

  const as = (role: Role) => ({ Authorization: api.auth(role) });

  it('every route with a path parameter, each parameter replaced by each hostile name: no 500, nothing written', async () => {
    const routes = listRoutes(api.app).filter((r) => r.path.startsWith('api/v1/') && r.path.includes('/:'));
    expect(routes.length).toBeGreaterThan(25);
    const probes: Probe[] = [];
    for (const route of routes) {
      const fixture = ROUTE_FIXTURES[route.operation];
      if (!fixture) throw new Error(`no fixture for ${route.operation}`);
      const role = (route.roles ?? ['admin'])[0];
      const call = await fixture(ctx, role);
      const pattern = route.path.split('/');
      const concrete = call.path.replace(/^\//, '').split('/');
      for (const [index, segment] of pattern.entries()) {
        if (!segment.startsWith(':')) continue;
        for (const name of HOSTILE) {
          const path = `/${concrete.map((part, i) => (i === index ? encodeURIComponent(name) : part)).join('/')}`;
          const before = await api.headPosition();
          const method = route.method.toLowerCase() as 'get' | 'post';
          let pending = request(api.http)[method](path).set('Authorization', `Bearer ${call.token ?? api.tokens[role]}`);
          if (call.query) pending = pending.query(call.query);
          const response = route.method === 'GET' ? await pending : await pending.send(call.body ?? {});
          probes.push({ label: `${route.method} ${path} as ${role}`, status: response.status, code: response.body?.code, written: await api.eventsAfter(before) });
        }
      }
    }
    // A read of an unknown subject's signatures is an empty list (200); every other answer is a coded refusal.
    const broken = probes.filter((p) => p.status >= 500 || p.written.length > 0 || (p.status >= 400 ? typeof p.code !== 'string' : !p.label.startsWith('GET ')));
    expect(broken.map((p) => `${p.label}: ${p.status} ${String(p.code)} wrote ${p.written.map((e) => e.type).join(',') || 'nothing'}`)).toEqual([]);
    expect(probes.length).toBeGreaterThanOrEqual(routes.length * HOSTILE.length);
  });

  it.each(HOSTILE)('login and password change as %j: a recorded failed attempt, 401 with a code', async (name) => {
    const before = await api.headPosition();
    const login = await request(api.http).post('/api/v1/auth/login').send({ username: name, password: PASSWORD });
    expect([login.status, login.body.code]).toEqual([401, 'AUTH.INVALID_CREDENTIALS']);
    const change = await request(api.http).post('/api/v1/auth/password').send({ username: name, currentPassword: PASSWORD, newPassword: 'another hostile passphrase' });
    expect([change.status, change.body.code]).toEqual([401, 'AUTH.INVALID_CREDENTIALS']);
    const written = await api.eventsAfter(before);
    expect(written.map((e) => [e.streamId, e.type, e.data.attemptedUsername, e.data.reason])).toEqual([
      [IDENTITY_STREAM_ID, 'LoginFailed', expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/), 'unknown-user'],
      [IDENTITY_STREAM_ID, 'LoginFailed', expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/), 'unknown-user'],
    ]);
  });

  it.each(HOSTILE)('an administrator manages a user named %j like any other, or is refused with a code', async (name) => {
    const before = await api.headPosition();
    const added = await request(api.http).post('/api/v1/users').set(as('admin')).send({ username: name, fullName: `Quentin Example-${name}`, role: 'coordinator', password: PASSWORD });
    if (name === '__proto__') {
      // A username starts with a letter: refused by the rule every username meets (the DTO's pattern).
      expect([added.status, added.body.code]).toEqual([400, 'VALIDATION.FAILED']);
      const role = await request(api.http).post(`/api/v1/users/${name}/role`).set(as('admin')).send({ role: 'admin' });
      expect([role.status, role.body.code]).toEqual([400, 'VALIDATION.FAILED']);
      expect(await api.eventsAfter(before)).toEqual([]);
      return;
    }
    const username = name.toLowerCase();
    expect([added.status, added.body.username, added.body.role]).toEqual([201, username, 'coordinator']);
    const promoted = await request(api.http).post(`/api/v1/users/${name}/role`).set(as('admin')).send({ role: 'investigator', reason: 'sub-investigator' });
    expect([promoted.status, promoted.body.role]).toEqual([200, 'investigator']);
    const deactivated = await request(api.http).post(`/api/v1/users/${name}/deactivate`).set(as('admin')).send({});
    expect([deactivated.status, deactivated.body.status]).toEqual([200, 'deactivated']);
    const reactivated = await request(api.http).post(`/api/v1/users/${name}/reactivate`).set(as('admin')).send({});
    expect([reactivated.status, reactivated.body.status]).toEqual([200, 'active']);
    const temporary = await request(api.http).post('/api/v1/auth/login').send({ username: name, password: PASSWORD });
    expect([temporary.status, temporary.body.code]).toEqual([403, 'AUTH.PASSWORD_CHANGE_REQUIRED']);
    await request(api.http).post('/api/v1/auth/password').send({ username: name, currentPassword: PASSWORD, newPassword: 'their own hostile passphrase' }).expect(200);
    const login = await request(api.http).post('/api/v1/auth/login').send({ username: name, password: 'their own hostile passphrase' });
    expect([login.status, login.body.actor?.username, login.body.actor?.role]).toEqual([200, username, 'investigator']);
    const written = await api.eventsAfter(before);
    expect(written.map((e) => [e.type, e.data.username ?? e.data.attemptedUsername])).toEqual([
      ['UserCreated', username],
      ['UserRoleChanged', username],
      ['UserDeactivated', username],
      ['UserReactivated', username],
      ['LoginFailed', username],
      ['PasswordChanged', username],
      ['LoginSucceeded', username],
    ]);
    // Every event names the account it changed: none is written with a missing user id.
    expect(written.every((e) => typeof e.data.userId === 'string' && e.data.userId === added.body.userId)).toBe(true);
  });

  it.each(HOSTILE)('a role change, reactivation, deactivation and password reset of an unknown %j: 404, nothing written', async (name) => {
    // `${name}Unknown` is never created by this suite; `name` itself may not exist yet either.
    const before = await api.headPosition();
    const answers: string[] = [];
    for (const target of [`${name}Unknown`, name === '__proto__' ? name : `x${name}`]) {
      for (const [suffix, body] of [['/role', { role: 'admin' }], ['/reactivate', {}], ['/deactivate', {}], ['/password-reset', { newPassword: 'a temporary passphrase 1' }]] as const) {
        const response = await request(api.http).post(`/api/v1/users/${encodeURIComponent(target)}${suffix}`).set(as('admin')).send(body);
        answers.push(`${target}${suffix} ${response.status} ${String(response.body.code)}`);
      }
    }
    expect(answers.filter((a) => !/ 404 IDENTITY\.USER_NOT_FOUND$| 400 /.test(a))).toEqual([]);
    expect(await api.eventsAfter(before)).toEqual([]);
  });

  it.each(HOSTILE)('a study and a subject named %j are ordinary ids: registered, screened and read, or refused with a code', async (name) => {
    const before = await api.headPosition();
    const study = await request(api.http).post('/api/v1/studies').set(as('admin')).send({ studyId: name, protocol: { ...loadDefaultProtocol(), studyId: name } });
    const screened = await request(api.http).post(`/api/v1/studies/${MATRIX_STUDY}/subjects`).set(as('coordinator')).send(bodies.screen(name));
    for (const response of [study, screened]) {
      expect(response.status).toBeLessThan(500);
      if (response.status >= 400) expect(response.body.code).toMatch(/^VALIDATION\./);
    }
    const written = await api.eventsAfter(before);
    expect(written.map((e) => e.type)).toEqual([...(study.status === 201 ? ['StudyRegistered'] : []), ...(screened.status === 201 ? ['SubjectScreened'] : [])]);
    if (screened.status === 201) {
      const casebook = await request(api.http).get(`/api/v1/studies/${MATRIX_STUDY}/subjects/${name}`).set(as('investigator'));
      expect([casebook.status, casebook.body.subjectId]).toEqual([200, name]);
    }
    if (study.status === 201) {
      const read = await request(api.http).get(`/api/v1/studies/${name}`).set(as('monitor'));
      expect([read.status, read.body.studyId]).toEqual([200, name]);
    }
  });

  it.each(HOSTILE)('a signature naming %j as the signer: 403 SIGNATURE.SIGNER_MISMATCH, the failure recorded, nothing signed', async (name) => {
    const { subjectId } = await ctx.subject('screened');
    const before = await api.headPosition();
    const response = await request(api.http)
      .post(ctx.subjectPath(subjectId, '/signatures'))
      .set(as('investigator'))
      .set('If-Match', await ctx.reviewedEtag(subjectId))
      .send({ username: name, password: PASSWORD, meaning: 'review', scope: 'casebook' });
    expect([response.status, response.body.code]).toEqual([403, 'SIGNATURE.SIGNER_MISMATCH']);
    expect((await api.eventsAfter(before)).map((e) => [e.streamId, e.type])).toEqual([[IDENTITY_STREAM_ID, 'SignatureFailed']]);
  });
});
