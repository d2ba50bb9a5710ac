import nodeCrypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { IDENTITY_STREAM_ID, subjectStreamId } from '@trial-ledger/domain';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { Identity, type IdentityPolicy } from '@trial-ledger/identity';
import { AppModule } from '../../apps/api/src/app.module';
import { configureApp, createHttpAdapter, initApp } from '../../apps/api/src/main';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FAST_SCRYPT, PASSWORDS, RecordingLogger, START, addReadyUser, appendToSubject, screenedSubject } from '../../libs/identity/src/testing';

/** The accounts as an attacker meets them over HTTP: lockout, uniform login answers, signature keys. */
describe('Accounts over HTTP', () => {
  let dir: string;
  let clock: FixedClock;
  let store: SqliteEventStore;
  let identity: Identity;
  let app: NestFastifyApplication;
  let http: Parameters<typeof request>[0];

  const start = async (policy: Partial<IdentityPolicy>): Promise<void> => {
    dir = mkdtempSync(join(tmpdir(), 'trial-ledger-accounts-'));
    clock = new FixedClock(START);
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock, pollMs: 20 });
    identity = new Identity(store, clock, { scrypt: FAST_SCRYPT, ...policy }, { logger: new RecordingLogger() });
    await identity.users.createFirstAdmin({ username: 'ada', fullName: 'Ada Admin', password: PASSWORDS.admin }, 'cli');
    const admin = await identity.auth.verifyPassword('ada', PASSWORDS.admin);
    await addReadyUser(identity, admin, { username: 'ivan', fullName: 'Dr Ivan Investigator', role: 'investigator', password: PASSWORDS.investigator });
    await addReadyUser(identity, admin, { username: 'cora', fullName: 'Cora Coordinator', role: 'coordinator', password: PASSWORDS.coordinator });
    await appendToSubject(store, 'LANR-HGNET-01', 'S001', screenedSubject('S001'), admin);
    // The per-address rate limit is not under test here; these tests make many attempts from one address.
    const environment = { ...process.env, TRIAL_LEDGER_THROTTLE_PER_ADDRESS: '1000', TRIAL_LEDGER_THROTTLE_PER_USER: '1000' };
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot({ store, clock, identity, bodyLimit: '4kb', environment })] }).compile();
    app = await initApp(configureApp(moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(), { bodyParser: false, logger: false })));
    http = app.getHttpServer();
  };

  afterEach(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const login = (username: string, password: string) => request(http).post('/api/v1/auth/login').send({ username, password });
  const tokenOf = async (username: string, password: string): Promise<string> => (await login(username, password).expect(200)).body.token;
  const signatures = '/api/v1/studies/LANR-HGNET-01/subjects/S001/signatures';
  const sign = (token: string, password: string, key?: string, meaning = 'approval') => {
    // The casebook as the signer reviewed it: S001's version, sent as If-Match.
    const req = request(http).post(signatures).set('authorization', `Bearer ${token}`).set('if-match', '"2"');
    return (key ? req.set('idempotency-key', key) : req).send({ username: 'ivan', password, meaning, scope: 'casebook' });
  };

  describe('lockout', () => {
    beforeEach(() => start({ maxFailedAttempts: 5 }));

    it('five wrong signing passwords lock the account and end its sessions at once, including one not used to sign', async () => {
      const signing = await tokenOf('ivan', PASSWORDS.investigator);
      const other = await tokenOf('ivan', PASSWORDS.investigator);
      await request(http).get(signatures).set('authorization', `Bearer ${other}`).expect(200);
      for (let i = 1; i <= 4; i += 1) expect((await sign(signing, `wrong passphrase ${i}`).expect(403)).body.code).toBe('SIGNATURE.PASSWORD_INVALID');
      await request(http).get(signatures).set('authorization', `Bearer ${signing}`).expect(200);
      expect((await sign(signing, 'wrong passphrase 5').expect(403)).body).toMatchObject({ code: 'SIGNATURE.PASSWORD_INVALID', accountLocked: true });
      for (const token of [signing, other]) {
        expect((await request(http).get(signatures).set('authorization', `Bearer ${token}`).expect(401)).body.code).toBe('AUTH.ACCOUNT_LOCKED');
      }
      expect((await sign(signing, PASSWORDS.investigator).expect(401)).body.code).toMatch(/^AUTH\./);
      expect(await store.streamVersion(subjectStreamId('LANR-HGNET-01', 'S001'))).toBe(2);
    });

    it('five wrong login passwords end the sessions already open', async () => {
      const open = await tokenOf('cora', PASSWORDS.coordinator);
      for (let i = 1; i <= 5; i += 1) await login('cora', `wrong passphrase ${i}`).expect(401);
      expect((await request(http).get(signatures).set('authorization', `Bearer ${open}`).expect(401)).body.code).toBe('AUTH.ACCOUNT_LOCKED');
    });
  });

  describe('temporary passwords', () => {
    beforeEach(() => start({ temporaryPasswordHours: 72 }));
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    it('a user added over the API must choose their own password before anything else: 403 AUTH.PASSWORD_CHANGE_REQUIRED', async () => {
      const admin = await tokenOf('ada', PASSWORDS.admin);
      const added = await request(http).post('/api/v1/users').set(bearer(admin))
        .send({ username: 'nina', fullName: 'Dr Nina New', role: 'investigator', password: 'chosen by the admin 1' }).expect(201);
      expect(added.body.mustChangePassword).toBe(true);
      const refused = await login('nina', 'chosen by the admin 1').expect(403);
      expect(refused.body).toMatchObject({ code: 'AUTH.PASSWORD_CHANGE_REQUIRED', status: 403 });
      expect(refused.body.token).toBeUndefined();
      // Even with a session opened before the reset, an administrator's reset leaves nothing usable.
      const ivan = await tokenOf('ivan', PASSWORDS.investigator);
      await request(http).post('/api/v1/users/ivan/password-reset').set(bearer(admin)).send({ newPassword: 'reset by the admin 1', reason: 'forgotten' }).expect(200);
      expect((await request(http).get(signatures).set(bearer(ivan)).expect(401)).body.code).toBe('AUTH.TOKEN_INVALID');
      expect((await login('ivan', 'reset by the admin 1').expect(403)).body.code).toBe('AUTH.PASSWORD_CHANGE_REQUIRED');

      await request(http).post('/api/v1/auth/password').send({ username: 'nina', currentPassword: 'chosen by the admin 1', newPassword: 'my own bright lantern 7' }).expect(200);
      const nina = await tokenOf('nina', 'my own bright lantern 7');
      await request(http).get(signatures).set(bearer(nina)).expect(200);
    });

    it('weak passwords are refused with a code before anything is written (API)', async () => {
      const admin = await tokenOf('ada', PASSWORDS.admin);
      const head = (await store.head()).position;
      const weak = await request(http).post('/api/v1/users').set(bearer(admin))
        .send({ username: 'nina', fullName: 'Dr Nina New', role: 'investigator', password: 'password1234' }).expect(400);
      expect(weak.body.code).toBe('PASSWORD.TOO_WEAK');
      const named = await request(http).post('/api/v1/users').set(bearer(admin))
        .send({ username: 'nina', fullName: 'Dr Nina New', role: 'investigator', password: 'hello nina, welcome aboard' }).expect(400);
      expect(named.body.code).toBe('PASSWORD.CONTAINS_USERNAME');
      expect((await store.head()).position).toBe(head);
      const variant = await request(http).post('/api/v1/auth/password')
        .send({ username: 'ivan', currentPassword: PASSWORDS.investigator, newPassword: PASSWORDS.investigator.toUpperCase() }).expect(400);
      expect(variant.body.code).toBe('PASSWORD.CASE_VARIANT');
    });

    it('a temporary password expires after the configured lifetime: not even a change is accepted with it', async () => {
      const admin = await tokenOf('ada', PASSWORDS.admin);
      await request(http).post('/api/v1/users').set(bearer(admin))
        .send({ username: 'nina', fullName: 'Dr Nina New', role: 'investigator', password: 'chosen by the admin 1' }).expect(201);
      clock.advance(72 * 3_600_000);
      const late = await request(http).post('/api/v1/auth/password').send({ username: 'nina', currentPassword: 'chosen by the admin 1', newPassword: 'my own bright lantern 7' }).expect(401);
      expect(late.body.code).toBe('AUTH.TEMPORARY_PASSWORD_EXPIRED');
      expect((await store.readStream(IDENTITY_STREAM_ID)).at(-1)!.data).toMatchObject({ reason: 'temporary-password-expired', purpose: 'change-password' });
    });
  });

  describe('signature idempotency', () => {
    beforeEach(() => start({}));

    it('the same Idempotency-Key answers the first signature again; another body with it is 422 and signs nothing', async () => {
      const token = await tokenOf('ivan', PASSWORDS.investigator);
      const first = await sign(token, PASSWORDS.investigator, 'sign-s001-1').expect(201);
      const again = await sign(token, PASSWORDS.investigator, 'sign-s001-1').expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.signatureEventId).toBe(first.body.signatureEventId);
      const other = await sign(token, PASSWORDS.investigator, 'sign-s001-1', 'review').expect(422);
      expect(other.body.code).toBe('IDEMPOTENCY.KEY_REUSED');
      const list = await request(http).get(signatures).set('authorization', `Bearer ${token}`).expect(200);
      expect(list.body.signatures).toHaveLength(1);
      expect(await store.streamVersion(subjectStreamId('LANR-HGNET-01', 'S001'))).toBe(3);
    });

    it('a repeat still needs the right password, and a malformed key is refused before anything is checked', async () => {
      const token = await tokenOf('ivan', PASSWORDS.investigator);
      await sign(token, PASSWORDS.investigator, 'sign-s001-2').expect(201);
      expect((await sign(token, 'not my passphrase', 'sign-s001-2').expect(403)).body.code).toBe('SIGNATURE.PASSWORD_INVALID');
      expect((await sign(token, PASSWORDS.investigator, 'has space').expect(400)).body.code).toBe('REQUEST.INVALID_IDEMPOTENCY_KEY');
      const events = await store.readStream(subjectStreamId('LANR-HGNET-01', 'S001'));
      expect(events.filter((e) => e.type === 'CasebookSigned')).toHaveLength(1);
      expect(JSON.stringify(events.map((e) => e.metadata))).not.toContain(PASSWORDS.investigator);
    });
  });

  describe('password change answers', () => {
    beforeEach(() => start({ maxFailedAttempts: 5 }));

    const changePassword = (username: string, currentPassword: string, newPassword: string) =>
      request(http).post('/api/v1/auth/password').send({ username, currentPassword, newPassword });

    it('a new password holding an account\'s printed name tells no unauthenticated caller that the account exists, or its name; the owner still meets the rule', async () => {
      const admin = await identity.auth.verifyPassword('ada', PASSWORDS.admin);
      await addReadyUser(identity, admin, { username: 'm.rossi', fullName: 'Marta Rossi', role: 'monitor', password: PASSWORDS.monitor });
      const withName = 'Marta Rossi rows east at dawn 7';
      const known = await changePassword('m.rossi', 'a guessed passphrase 1', withName).expect(401);
      const unknown = await changePassword('nobody-here', 'a guessed passphrase 1', withName).expect(401);
      expect(known.body.code).toBe('AUTH.INVALID_CREDENTIALS');
      expect({ ...known.body, instance: null }).toEqual({ ...unknown.body, instance: null });
      // The wrong guess was an attempt on the account like any other: recorded, and counted towards lockout.
      const failures = (await store.readStream(IDENTITY_STREAM_ID)).filter((e) => e.type === 'LoginFailed' && e.data.attemptedUsername === 'm.rossi' && e.data.purpose === 'change-password');
      expect(failures).toHaveLength(1);

      const owner = await changePassword('m.rossi', PASSWORDS.monitor, withName).expect(400);
      expect(owner.body.code).toBe('PASSWORD.CONTAINS_NAME');
    });
  });

  describe('login answers', () => {
    // The production hash cost, so that the hashing work (not the test's noise) dominates the timing.
    beforeEach(() => start({ scrypt: { ...FAST_SCRYPT, cost: 2 ** 14 }, maxFailedAttempts: 10, lockoutMinutes: 600 }));

    /** What may differ between two refusals of identical requests: per-request identifiers. */
    const stable = (body: Record<string, unknown>): Record<string, unknown> =>
      Object.fromEntries(Object.entries(body).filter(([key]) => !['instance', 'correlationId', 'requestId', 'timestamp'].includes(key)));

    it('an unknown user, a wrong password, a locked and a deactivated account get the same status, body and timing', async () => {
      for (let i = 1; i <= 10; i += 1) await login('cora', `wrong passphrase ${i}`).expect(401);
      const admin = await identity.auth.verifyPassword('ada', PASSWORDS.admin);
      await identity.users.deactivateUser(admin, { username: 'ivan' });
      const cases: Record<string, () => request.Test> = {
        unknown: () => login('nobody-here', 'some long passphrase'),
        wrong: () => login('ada', 'some long passphrase'),
        locked: () => login('cora', PASSWORDS.coordinator),
        deactivated: () => login('ivan', PASSWORDS.investigator),
      };
      const answers: Record<string, { status: number; body: Record<string, unknown>; header: string | undefined }> = {};
      const times: Record<string, number[]> = { unknown: [], wrong: [], locked: [], deactivated: [] };
      const hashings: Record<string, number[]> = { unknown: [], wrong: [], locked: [], deactivated: [] };
      const scrypt = jest.spyOn(nodeCrypto, 'scrypt');
      // Round-robin after a warm-up round, so drift in the machine's load hits every case alike.
      for (let round = 0; round < 8; round += 1) {
        for (const [name, attempt] of Object.entries(cases)) {
          const calls = scrypt.mock.calls.length;
          const t0 = performance.now();
          const response = await attempt();
          if (round > 0) times[name].push(performance.now() - t0);
          hashings[name].push(scrypt.mock.calls.length - calls);
          answers[name] = { status: response.status, body: stable(response.body), header: response.headers['www-authenticate'] };
        }
      }
      scrypt.mockRestore();
      // Each attempt costs exactly one scrypt verification, whatever the refusal (a locked account used to answer without any).
      for (const name of Object.keys(cases)) expect(hashings[name]).toEqual(Array(8).fill(1));
      const medians = Object.fromEntries(Object.entries(times).map(([name, t]) => [name, t.sort((a, b) => a - b)[3]]));
      expect(answers.unknown).toMatchObject({ status: 401, body: { code: 'AUTH.INVALID_CREDENTIALS' } });
      for (const name of ['wrong', 'locked', 'deactivated']) expect(answers[name]).toEqual(answers.unknown);
      const reasons = (await store.readStream(IDENTITY_STREAM_ID)).filter((e) => e.type === 'LoginFailed').map((e) => e.data.reason);
      expect(new Set(reasons)).toEqual(new Set(['unknown-user', 'wrong-password', 'account-locked', 'user-deactivated']));
      const values = Object.values(medians);
      // The same in time: one hashing at the production cost dominates every answer. The bound leaves room
      // for a machine under load (the count above is the exact check); an answer without hashing is ~20× faster.
      expect(Math.max(...values) / Math.min(...values)).toBeLessThan(5);
      process.stderr.write(`login median ms: ${JSON.stringify(Object.fromEntries(Object.entries(medians).map(([k, v]) => [k, Math.round(v * 10) / 10])))}\n`);
    });
  });
});
