import request from 'supertest';
import { enrolledSubject, STUDY, startApiTestApp, type ApiTestApp } from './support/api-test-app';

/** Limits low enough to reach in a test; the defaults (30 and 10 a minute) behave the same way. */
const PER_ADDRESS = 6;
const PER_USER = 3;

/** An attacker at one address, guessing passwords or filling the ledger with failed attempts. */
describe('rate limits on the password routes (@nestjs/throttler)', () => {
  let api: ApiTestApp;
  beforeAll(async () => {
    api = await startApiTestApp({
      environment: { ...process.env, TRIAL_LEDGER_THROTTLE_PER_ADDRESS: String(PER_ADDRESS), TRIAL_LEDGER_THROTTLE_PER_USER: String(PER_USER) },
    });
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => api.close());

  const login = (username: string, password: string) => request(api.http).post('/api/v1/auth/login').send({ username, password });

  it('given wrong passwords for one account, the attempts over the per-user limit are 429 with Retry-After and recorded nowhere', async () => {
    for (let i = 0; i < PER_USER; i += 1) await login('cora', `wrong guess ${i} for cora`).expect(401);
    const head = await api.headPosition();
    const refused = await login('cora', 'coordinator passphrase 1').expect(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ code: 'REQUEST.RATE_LIMITED', status: 429 });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(refused.body.retryAfterSeconds).toBe(retryAfter);
    expect(await api.headPosition()).toBe(head);
    // Another account from the same address is not held back by cora's limit.
    await login('mona', 'monitor passphrase 0001').expect(200);
  });

  it('given failed logins for ever-new usernames from one address, the ledger grows by at most the per-address limit', async () => {
    const before = await api.headPosition();
    const statuses: number[] = [];
    for (let i = 0; i < 20; i += 1) statuses.push((await login(`nobody${i}`, 'not a password at all')).status);
    // The address already spent PER_USER + 2 attempts in the test above, in the same minute.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(PER_ADDRESS);
    expect(statuses.slice(-10)).toEqual(Array(10).fill(429));
    expect((await api.headPosition()) - before).toBeLessThanOrEqual(PER_ADDRESS);
  });

  it('limits signatures per signer: repeated wrong signing passwords are 429 before the identity service, writing nothing', async () => {
    const sign = (password: string) =>
      request(api.http)
        .post(`/api/v1/studies/${STUDY}/subjects/S001/signatures`)
        .set('Authorization', api.auth('investigator'))
        .set('If-Match', '"1"')
        .send({ username: 'ivan', password, meaning: 'authorship', scope: 'casebook' });
    const statuses: number[] = [];
    for (let i = 0; i < PER_USER; i += 1) statuses.push((await sign(`wrong signing password ${i}`)).status);
    expect(statuses.every((s) => s !== 429)).toBe(true);
    const head = await api.headPosition();
    const refused = await sign('investigator passphrase 1').expect(429);
    expect(refused.body.code).toBe('REQUEST.RATE_LIMITED');
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(await api.headPosition()).toBe(head);
  });

  it('leaves token-authenticated reads alone', async () => {
    for (let i = 0; i < 3 * PER_ADDRESS; i += 1) {
      await request(api.http).get(`/api/v1/studies/${STUDY}/subjects/S001/casebook`).set('Authorization', api.auth('investigator')).expect(200);
    }
  });
});

/**
 * The router matches paths case-insensitively, with or without a trailing slash and with percent-escapes
 * decoded; the limits follow the route matched, so spelling the path another way buys no attempts.
 */
describe('rate limits whatever spelling of the path', () => {
  let api: ApiTestApp;
  beforeAll(async () => {
    api = await startApiTestApp({ environment: { ...process.env, TRIAL_LEDGER_THROTTLE_PER_ADDRESS: '100', TRIAL_LEDGER_THROTTLE_PER_USER: String(PER_USER) } });
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => api.close());

  it('counts logins sent to /API/V1/AUTH/LOGIN, /api/v1/auth/login/ and /api/v1/auth/%6cogin against one account as one route', async () => {
    const paths = ['/API/V1/AUTH/LOGIN', '/api/v1/auth/login/', '/api/v1/auth/%6cogin'];
    for (const path of paths) await request(api.http).post(path).send({ username: 'cora', password: `wrong guess via ${path}` }).expect(401);
    const head = await api.headPosition();
    for (const path of [...paths, '/api/v1/auth/login']) {
      expect((await request(api.http).post(path).send({ username: 'cora', password: 'coordinator passphrase 1' }).expect(429)).body.code).toBe('REQUEST.RATE_LIMITED');
    }
    expect(await api.headPosition()).toBe(head);
  });

  it("counts the viewer's sign-in form with the API's login: one account's attempts through either door meet one limit", async () => {
    const form = await request(api.http).get('/viewer/login').expect(200);
    const cookie = ([] as string[]).concat(form.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1];
    const viewerLogin = (password: string) => request(api.http).post('/viewer/login').set('Cookie', cookie).type('form').send({ _csrf: csrf, username: 'mona', password });
    await request(api.http).post('/api/v1/auth/login').send({ username: 'mona', password: 'wrong guess 1' }).expect(401);
    await viewerLogin('wrong guess 2').expect(401);
    await viewerLogin('wrong guess 3').expect(401);
    const head = await api.headPosition();
    const refused = await viewerLogin('monitor passphrase 0001').expect(429);
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.text).toContain('REQUEST.RATE_LIMITED');
    await request(api.http).post('/api/v1/auth/login').send({ username: 'mona', password: 'monitor passphrase 0001' }).expect(429);
    expect(await api.headPosition()).toBe(head);
  });

  it("counts the viewer's password form with the API's password change: guesses of a current password meet one limit", async () => {
    const form = await request(api.http).get('/viewer/password').expect(200);
    const cookie = ([] as string[]).concat(form.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1];
    const change = (currentPassword: string) =>
      request(api.http).post('/viewer/password').set('Cookie', cookie).type('form').send({ _csrf: csrf, username: 'rex', currentPassword, newPassword: 'a new regulator passphrase', confirmPassword: 'a new regulator passphrase' });
    await request(api.http).post('/api/v1/auth/password').send({ username: 'rex', currentPassword: 'wrong guess 1', newPassword: 'a new regulator passphrase' }).expect(401);
    await change('wrong guess 2').expect(401);
    await change('wrong guess 3').expect(401);
    const head = await api.headPosition();
    const refused = await change('regulator passphrase 01').expect(429);
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(refused.text).toContain('REQUEST.RATE_LIMITED');
    expect(await api.headPosition()).toBe(head);
  });

  it('counts signatures sent through a spelled-differently path against the signer', async () => {
    const paths = [`/API/V1/STUDIES/${STUDY}/SUBJECTS/S001/SIGNATURES`, `/api/v1/studies/${STUDY}/subjects/S001/signatures/`, `/api/v1/studies/${STUDY}/subjects/S001/%73ignatures`];
    const sign = (path: string, password: string) =>
      request(api.http).post(path).set('Authorization', api.auth('investigator')).send({ username: 'ivan', password, meaning: 'authorship', scope: 'casebook' });
    for (const path of paths) expect((await sign(path, `wrong signing password via ${path}`)).status).not.toBe(429);
    for (const path of paths) expect((await sign(path, 'investigator passphrase 1')).status).toBe(429);
  });
});
