import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { IDENTITY_STREAM_ID, subjectStreamId } from '@trial-ledger/domain';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { Identity } from '@trial-ledger/identity';
import { AppModule } from '../../apps/api/src/app.module';
import { configureApp, createHttpAdapter, initApp } from '../../apps/api/src/main';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FAST_SCRYPT, PASSWORDS, RecordingLogger, START, addReadyUser, appendToSubject, screenedSubject } from '../../libs/identity/src/testing';

describe('Identity over HTTP: login, sessions, users and signatures', () => {
  let dir: string;
  let store: SqliteEventStore;
  let clock: FixedClock;
  let identity: Identity;
  let app: NestFastifyApplication;
  let http: Parameters<typeof request>[0];

  const login = async (username: string, password: string): Promise<string> =>
    (await request(http).post('/api/v1/auth/login').send({ username, password }).expect(200)).body.token;
  const lastIdentityEvent = async () => (await store.readStream(IDENTITY_STREAM_ID)).at(-1)!;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trial-ledger-identity-'));
    clock = new FixedClock(START);
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock, pollMs: 20 });
    identity = new Identity(store, clock, { scrypt: FAST_SCRYPT, sessionInactivityMinutes: 15 }, { logger: new RecordingLogger() });
    await identity.users.createFirstAdmin({ username: 'ada', fullName: 'Ada Admin', password: PASSWORDS.admin }, 'cli');
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot({ store, clock, identity, bodyLimit: '4kb' })] }).compile();
    app = await initApp(configureApp(moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(), { bodyParser: false, logger: false })));
    http = app.getHttpServer();
  });

  afterEach(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an admin logs in, adds a user and lists users; no response carries a password hash', async () => {
    const response = await request(http).post('/api/v1/auth/login').send({ username: 'ada', password: PASSWORDS.admin }).expect(200);
    expect(response.body).toMatchObject({ tokenType: 'Bearer', expiresAt: '2026-03-02T09:15:00.000Z', actor: { username: 'ada', role: 'admin', fullName: 'Ada Admin' } });
    const token = response.body.token;
    const created = await request(http)
      .post('/api/v1/users')
      .set('authorization', `Bearer ${token}`)
      .send({ username: 'ivan', fullName: 'Dr Ivan Investigator', role: 'investigator', password: PASSWORDS.investigator, reason: 'site initiation' })
      .expect(201);
    expect(created.body).toMatchObject({ username: 'ivan', role: 'investigator', status: 'active' });
    const list = await request(http).get('/api/v1/users').set('authorization', `Bearer ${token}`).expect(200);
    expect(list.body.users.map((u: { username: string }) => u.username)).toEqual(['ada', 'ivan']);
    expect(JSON.stringify([created.body, list.body, response.body])).not.toMatch(/scrypt|passwordHash/);
    const created_ = await lastIdentityEvent();
    expect(created_.type).toBe('UserCreated');
    expect(created_.metadata).toMatchObject({ reason: 'site initiation', source: 'api', actor: { username: 'ada' } });
  });

  it('a wrong password is 401 AUTH.INVALID_CREDENTIALS as a problem, and is recorded', async () => {
    const response = await request(http).post('/api/v1/auth/login').send({ username: 'ada', password: 'not the passphrase' }).expect(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ code: 'AUTH.INVALID_CREDENTIALS', status: 401 });
    expect((await lastIdentityEvent()).type).toBe('LoginFailed');
  });

  it('a locked account answers 401 AUTH.INVALID_CREDENTIALS like a wrong password; the record says it was locked', async () => {
    for (let i = 0; i < 5; i += 1) await request(http).post('/api/v1/auth/login').send({ username: 'ada', password: `wrong ${i} passphrase` });
    const response = await request(http).post('/api/v1/auth/login').send({ username: 'ada', password: PASSWORDS.admin }).expect(401);
    expect(response.body.code).toBe('AUTH.INVALID_CREDENTIALS');
    expect((await lastIdentityEvent()).data).toMatchObject({ reason: 'account-locked' });
  });

  it('a malformed or oversized login body is refused before any authentication and writes nothing', async () => {
    const head = (await store.head()).position;
    const missing = await request(http).post('/api/v1/auth/login').send({ username: 'ada' }).expect(400);
    expect(missing.body.code).toBe('VALIDATION.FAILED');
    const wrongType = await request(http).post('/api/v1/auth/login').send({ username: 42, password: ['x'] }).expect(400);
    expect(wrongType.body.code).toBe('VALIDATION.FAILED');
    const extra = await request(http).post('/api/v1/auth/login').send({ username: 'ada', password: PASSWORDS.admin, role: 'admin' }).expect(400);
    expect(extra.body.code).toBe('VALIDATION.FAILED');
    const huge = await request(http).post('/api/v1/auth/login').send({ username: 'ada', password: 'x'.repeat(10_000) }).expect(413);
    expect(huge.body.code).toBe('REQUEST.TOO_LARGE');
    const long = await request(http).post('/api/v1/auth/login').send({ username: 'ada', password: 'x'.repeat(2000) }).expect(400);
    expect(long.body.code).toBe('VALIDATION.FAILED');
    await request(http).post('/api/v1/auth/login').set('content-type', 'application/json').send('{"username":').expect(400);
    expect((await store.head()).position).toBe(head);
  });

  it('no token is 401 AUTH.UNAUTHENTICATED; a forged one 401 AUTH.TOKEN_INVALID', async () => {
    expect((await request(http).get('/api/v1/users').expect(401)).body.code).toBe('AUTH.UNAUTHENTICATED');
    const forged = await request(http).get('/api/v1/users').set('authorization', `Bearer ${'A'.repeat(43)}`).expect(401);
    expect(forged.body.code).toBe('AUTH.TOKEN_INVALID');
  });

  it('a session expires after inactivity (401 AUTH.SESSION_EXPIRED); logout ends it at once', async () => {
    const token = await login('ada', PASSWORDS.admin);
    clock.advance(16 * 60_000);
    expect((await request(http).get('/api/v1/users').set('authorization', `Bearer ${token}`).expect(401)).body.code).toBe('AUTH.SESSION_EXPIRED');
    const second = await login('ada', PASSWORDS.admin);
    await request(http).post('/api/v1/auth/logout').set('authorization', `Bearer ${second}`).expect(204);
    expect((await request(http).get('/api/v1/users').set('authorization', `Bearer ${second}`).expect(401)).body.code).toBe('AUTH.TOKEN_INVALID');
  });

  it('a role refusal is 403 AUTH.ROLE_NOT_ALLOWED and recorded as AuthorizationRefused', async () => {
    const admin = await identity.auth.verifyPassword('ada', PASSWORDS.admin);
    await addReadyUser(identity, admin, { username: 'cora', fullName: 'Cora Coordinator', role: 'coordinator', password: PASSWORDS.coordinator });
    const token = await login('cora', PASSWORDS.coordinator);
    const response = await request(http)
      .post('/api/v1/users')
      .set('authorization', `Bearer ${token}`)
      .send({ username: 'mallory', fullName: 'Mallory', role: 'admin', password: 'a long enough passphrase' })
      .expect(403);
    expect(response.body).toMatchObject({ code: 'AUTH.ROLE_NOT_ALLOWED', status: 403 });
    expect((await lastIdentityEvent()).data).toMatchObject({ username: 'cora', allowedRoles: ['admin'] });
    expect((await identity.users.listUsers(admin)).map((u) => u.username)).not.toContain('mallory');
  });

  it("deactivation through the API stops the user's token at once; the username is never reused", async () => {
    const admin = await login('ada', PASSWORDS.admin);
    await request(http).post('/api/v1/users').set('authorization', `Bearer ${admin}`)
      .send({ username: 'ivan', fullName: 'Dr Ivan Investigator', role: 'investigator', password: `temporary ${PASSWORDS.investigator}` }).expect(201);
    await request(http).post('/api/v1/auth/password')
      .send({ username: 'ivan', currentPassword: `temporary ${PASSWORDS.investigator}`, newPassword: PASSWORDS.investigator }).expect(200);
    const ivan = await login('ivan', PASSWORDS.investigator);
    await request(http).post('/api/v1/users/ivan/deactivate').set('authorization', `Bearer ${admin}`).send({ reason: 'left the site' }).expect(200);
    expect((await request(http).get('/api/v1/users').set('authorization', `Bearer ${ivan}`).expect(401)).body.code).toBe('AUTH.USER_DEACTIVATED');
    const reuse = await request(http).post('/api/v1/users').set('authorization', `Bearer ${admin}`)
      .send({ username: 'ivan', fullName: 'Another Ivan', role: 'coordinator', password: 'another long passphrase' }).expect(409);
    expect(reuse.body.code).toBe('IDENTITY.USERNAME_TAKEN');
  });

  it('an expired password is refused at login until changed through POST /auth/password; short and reused passwords are refused', async () => {
    clock.advance(91 * 86_400_000);
    expect((await request(http).post('/api/v1/auth/login').send({ username: 'ada', password: PASSWORDS.admin }).expect(401)).body.code).toBe('AUTH.PASSWORD_EXPIRED');
    const short = await request(http).post('/api/v1/auth/password').send({ username: 'ada', currentPassword: PASSWORDS.admin, newPassword: 'short' }).expect(400);
    expect(short.body.code).toBe('PASSWORD.TOO_SHORT');
    const reused = await request(http).post('/api/v1/auth/password').send({ username: 'ada', currentPassword: PASSWORDS.admin, newPassword: PASSWORDS.admin }).expect(409);
    expect(reused.body.code).toBe('PASSWORD.REUSED');
    await request(http).post('/api/v1/auth/password').send({ username: 'ada', currentPassword: PASSWORDS.admin, newPassword: 'a brand new admin phrase' }).expect(200);
    await login('ada', 'a brand new admin phrase');
  });

  describe('signatures', () => {
    const path = '/api/v1/studies/LANR-HGNET-01/subjects/S001/signatures';
    let token: string;
    beforeEach(async () => {
      const admin = await identity.auth.verifyPassword('ada', PASSWORDS.admin);
      await addReadyUser(identity, admin, { username: 'ivan', fullName: 'Dr Ivan Investigator', role: 'investigator', password: PASSWORDS.investigator });
      await addReadyUser(identity, admin, { username: 'iris', fullName: 'Dr Iris Other', role: 'investigator', password: 'second signer phrase 01' });
      await appendToSubject(store, 'LANR-HGNET-01', 'S001', screenedSubject('S001'), admin);
      token = await login('ivan', PASSWORDS.investigator);
    });
    const subjectVersion = () => store.streamVersion(subjectStreamId('LANR-HGNET-01', 'S001'));

    it('signs the casebook with the password re-entered; ETag and manifestation returned; listed as valid', async () => {
      const response = await request(http).post(path).set('authorization', `Bearer ${token}`).set('if-match', '"2"')
        .send({ username: 'ivan', password: PASSWORDS.investigator, meaning: 'approval', scope: 'casebook' }).expect(201);
      expect(response.headers.etag).toBe('"3"');
      expect(response.body).toMatchObject({ type: 'CasebookSigned', signerFullName: 'Dr Ivan Investigator', meaning: 'approval', signedThroughVersion: 2 });
      const list = await request(http).get(path).set('authorization', `Bearer ${token}`).expect(200);
      expect(list.body.signatures).toEqual([expect.objectContaining({ status: 'valid', bindingIntact: true, signerFullName: 'Dr Ivan Investigator' })]);
    });

    it('a wrong password is 403 SIGNATURE.PASSWORD_INVALID, counted, and nothing is signed', async () => {
      const response = await request(http).post(path).set('authorization', `Bearer ${token}`).set('if-match', '"2"')
        .send({ username: 'ivan', password: 'not my passphrase', meaning: 'approval', scope: 'casebook' }).expect(403);
      expect(response.body.code).toBe('SIGNATURE.PASSWORD_INVALID');
      expect(await subjectVersion()).toBe(2);
      expect((await lastIdentityEvent()).data).toMatchObject({ reason: 'wrong-password', consecutiveFailures: 1 });
    });

    it('signing as someone else is 403 SIGNATURE.SIGNER_MISMATCH', async () => {
      const response = await request(http).post(path).set('authorization', `Bearer ${token}`).set('if-match', '"2"')
        .send({ username: 'iris', password: 'second signer phrase 01', meaning: 'approval', scope: 'casebook' }).expect(403);
      expect(response.body.code).toBe('SIGNATURE.SIGNER_MISMATCH');
      expect(await subjectVersion()).toBe(2);
    });

    it('a signature without the version reviewed (no If-Match, or If-Match: *) is 428 SIGNATURE.VERSION_REQUIRED: no password checked, nothing recorded', async () => {
      const identityVersion = await store.streamVersion(IDENTITY_STREAM_ID);
      for (const ifMatch of [undefined, '*']) {
        const pending = request(http).post(path).set('authorization', `Bearer ${token}`);
        const response = await (ifMatch === undefined ? pending : pending.set('if-match', ifMatch))
          .send({ username: 'ivan', password: 'not my passphrase', meaning: 'approval', scope: 'casebook' }).expect(428);
        expect(response.body).toMatchObject({ code: 'SIGNATURE.VERSION_REQUIRED', status: 428 });
      }
      expect(await subjectVersion()).toBe(2);
      expect(await store.streamVersion(IDENTITY_STREAM_ID)).toBe(identityVersion);
    });

    it('a stale If-Match is 412 and signs nothing; a bad scope or meaning is 400', async () => {
      const stale = await request(http).post(path).set('authorization', `Bearer ${token}`).set('if-match', '"1"')
        .send({ username: 'ivan', password: PASSWORDS.investigator, meaning: 'approval', scope: 'casebook' }).expect(412);
      expect(stale.body.code).toBe('CONCURRENCY.VERSION_CONFLICT');
      const badScope = await request(http).post(path).set('authorization', `Bearer ${token}`)
        .send({ username: 'ivan', password: PASSWORDS.investigator, meaning: 'approval', scope: 'everything' }).expect(400);
      expect(badScope.body.code).toBe('VALIDATION.FAILED');
      const badMeaning = await request(http).post(path).set('authorization', `Bearer ${token}`)
        .send({ username: 'ivan', password: PASSWORDS.investigator, meaning: 'agreement', scope: 'casebook' }).expect(400);
      expect(badMeaning.body.code).toBe('VALIDATION.FAILED');
      expect(await subjectVersion()).toBe(2);
    });
  });
});
