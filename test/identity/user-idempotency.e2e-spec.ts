import request from 'supertest';
import { startApiTestApp, type ApiTestApp } from '../api/support/api-test-app';

/**
 * User management honours `Idempotency-Key` as every command does (SPEC §4): a repeat by the same
 * user with the same body answers the first outcome (`Idempotent-Replayed: true`) and writes nothing;
 * with another body it is refused (`IDEMPOTENCY.KEY_REUSED`); a key belongs to the user who sent it.
 * The `/auth/*` routes take no key and say so.
 */
describe('API: idempotency keys on user management', () => {
  let api: ApiTestApp;
  const users = '/api/v1/users';
  const newUser = (username: string) => ({ username, fullName: `Dr ${username} Testperson`, role: 'coordinator', password: 'a long enough pass phrase 42', reason: 'joined the site' });
  const post = (path: string, body: object, key?: string, token = api.auth('admin')) => {
    const req = request(api.http).post(path).set('Authorization', token);
    if (key !== undefined) req.set('Idempotency-Key', key);
    return req.send(body);
  };

  beforeAll(async () => {
    api = await startApiTestApp();
  });
  afterAll(async () => api.close());

  it('given a user added under a key, when the same request is sent again, then the first answer comes back marked as a repeat and nothing is written', async () => {
    const first = await post(users, newUser('ulla'), 'add-ulla').expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const head = await api.headPosition();

    const again = await post(users, newUser('ulla'), 'add-ulla');

    expect({ status: again.status, replayed: again.headers['idempotent-replayed'] }).toEqual({ status: 201, replayed: 'true' });
    expect(again.body).toEqual(first.body);
    expect(await api.headPosition()).toBe(head);
  });

  it('given a key used to add a user, when it comes with another body (another password, another name), then it is refused as reused and nothing is written', async () => {
    await post(users, newUser('vera'), 'add-vera').expect(201);
    const head = await api.headPosition();

    const otherPassword = await post(users, { ...newUser('vera'), password: 'another long pass phrase 43' }, 'add-vera');
    const otherUser = await post(users, newUser('wanda'), 'add-vera');

    expect([otherPassword.status, otherPassword.body.code]).toEqual([422, 'IDEMPOTENCY.KEY_REUSED']);
    expect([otherUser.status, otherUser.body.code]).toEqual([422, 'IDEMPOTENCY.KEY_REUSED']);
    expect(await api.headPosition()).toBe(head);
  });

  it('given a role change, a deactivation and a reactivation under keys, when each is repeated, then each answers its first outcome and nothing is written', async () => {
    await post(users, newUser('xena')).expect(201);
    const role = await post(`${users}/xena/role`, { role: 'investigator', reason: 'promoted' }, 'role-xena').expect(200);
    const deactivated = await post(`${users}/xena/deactivate`, { reason: 'left' }, 'off-xena').expect(200);
    const reactivated = await post(`${users}/xena/reactivate`, { reason: 'back' }, 'on-xena').expect(200);
    const head = await api.headPosition();

    const roleAgain = await post(`${users}/xena/role`, { role: 'investigator', reason: 'promoted' }, 'role-xena');
    const deactivatedAgain = await post(`${users}/xena/deactivate`, { reason: 'left' }, 'off-xena');
    const reactivatedAgain = await post(`${users}/xena/reactivate`, { reason: 'back' }, 'on-xena');
    const roleOther = await post(`${users}/xena/role`, { role: 'monitor', reason: 'promoted' }, 'role-xena');

    for (const [again, first] of [[roleAgain, role], [deactivatedAgain, deactivated], [reactivatedAgain, reactivated]] as const) {
      expect({ status: again.status, replayed: again.headers['idempotent-replayed'], body: again.body }).toEqual({ status: 200, replayed: 'true', body: first.body });
    }
    expect(deactivatedAgain.body.status).toBe('deactivated');
    expect([roleOther.status, roleOther.body.code]).toEqual([422, 'IDEMPOTENCY.KEY_REUSED']);
    expect(await api.headPosition()).toBe(head);
  });

  it('given a password reset under a key, when it is repeated, then it answers the first outcome without a second reset, and another password under the key is refused', async () => {
    await post(users, newUser('yara')).expect(201);
    const reset = { newPassword: 'temporary pass phrase 7781', reason: 'forgotten' };
    const first = await post(`${users}/yara/password-reset`, reset, 'reset-yara').expect(200);
    const head = await api.headPosition();

    const again = await post(`${users}/yara/password-reset`, reset, 'reset-yara');
    const other = await post(`${users}/yara/password-reset`, { ...reset, newPassword: 'other temporary phrase 9902' }, 'reset-yara');

    expect({ status: again.status, replayed: again.headers['idempotent-replayed'], body: again.body }).toEqual({ status: 200, replayed: 'true', body: first.body });
    expect(JSON.stringify(again.body)).not.toContain('temporary pass phrase');
    expect([other.status, other.body.code]).toEqual([422, 'IDEMPOTENCY.KEY_REUSED']);
    expect(await api.headPosition()).toBe(head);
    // the password the first reset set is the one in force (no second reset)
    const login = await request(api.http).post('/api/v1/auth/login').send({ username: 'yara', password: 'temporary pass phrase 7781' });
    expect(login.body.code).toBe('AUTH.PASSWORD_CHANGE_REQUIRED');
  });

  it('given a reset repeated after the user chose a password and logged in, then the repeat ends no session and sets nothing', async () => {
    await post(users, newUser('olga')).expect(201);
    const reset = { newPassword: 'temporary pass phrase 3317', reason: 'forgotten' };
    const first = await post(`${users}/olga/password-reset`, reset, 'reset-olga').expect(200);
    await request(api.http).post('/api/v1/auth/password').send({ username: 'olga', currentPassword: reset.newPassword, newPassword: 'quiet harbour compass 8820' }).expect(200);
    const session = `Bearer ${(await request(api.http).post('/api/v1/auth/login').send({ username: 'olga', password: 'quiet harbour compass 8820' }).expect(200)).body.token}`;
    const head = await api.headPosition();

    const again = await post(`${users}/olga/password-reset`, reset, 'reset-olga');

    expect({ status: again.status, replayed: again.headers['idempotent-replayed'], body: again.body }).toEqual({ status: 200, replayed: 'true', body: first.body });
    expect(await api.headPosition()).toBe(head);
    await request(api.http).post('/api/v1/auth/logout').set('Authorization', session).expect(204);
  });

  it('given a key the administrator used for another command, when it comes with a user-management request, then it is refused as reused', async () => {
    await post('/api/v1/studies', {}, 'study-then-user').expect(201);
    const head = await api.headPosition();

    const refused = await post(users, newUser('carl'), 'study-then-user');

    expect([refused.status, refused.body.code]).toEqual([422, 'IDEMPOTENCY.KEY_REUSED']);
    expect(await api.headPosition()).toBe(head);
  });

  it('given a key an administrator used, when another administrator sends it, then it is their own key', async () => {
    await post(users, { ...newUser('zoe'), role: 'admin' }).expect(201);
    await request(api.http).post('/api/v1/auth/password').send({ username: 'zoe', currentPassword: 'a long enough pass phrase 42', newPassword: 'quiet river lantern 5521' }).expect(200);
    const zoeToken = `Bearer ${(await request(api.http).post('/api/v1/auth/login').send({ username: 'zoe', password: 'quiet river lantern 5521' }).expect(200)).body.token}`;
    await post(users, newUser('adam'), 'shared-user-key').expect(201);

    const mine = await post(users, newUser('abel'), 'shared-user-key', zoeToken);

    expect({ status: mine.status, replayed: mine.headers['idempotent-replayed'], username: mine.body.username }).toEqual({ status: 201, replayed: undefined, username: 'abel' });
  });

  it('given a malformed key on a user route, then it is refused as on every command route', async () => {
    const refused = await post(users, newUser('bert'), 'has space');
    expect([refused.status, refused.body.code]).toEqual([400, 'REQUEST.INVALID_IDEMPOTENCY_KEY']);
  });

  it('given an Idempotency-Key on login, logout or own password change, then it is refused (not silently ignored) and nothing is written', async () => {
    const head = await api.headPosition();

    const login = await request(api.http).post('/api/v1/auth/login').set('Idempotency-Key', 'login-1').send({ username: 'ada', password: 'correct horse battery staple' });
    const password = await request(api.http).post('/api/v1/auth/password').set('Idempotency-Key', 'pw-1').send({ username: 'ada', currentPassword: 'correct horse battery staple', newPassword: 'brand new pass phrase 6612' });
    const logout = await request(api.http).post('/api/v1/auth/logout').set('Authorization', api.auth('monitor')).set('Idempotency-Key', 'logout-1').send();

    for (const refused of [login, password, logout]) expect([refused.status, refused.body.code]).toEqual([400, 'REQUEST.IDEMPOTENCY_KEY_NOT_ACCEPTED']);
    expect(await api.headPosition()).toBe(head);
    await request(api.http).get('/api/v1/users').set('Authorization', api.auth('monitor')).expect(200);
  });
});
