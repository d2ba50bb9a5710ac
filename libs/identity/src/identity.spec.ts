import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { IDENTITY_STREAM_ID, subjectStreamId, type Actor, type DomainError } from '@trial-ledger/domain';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { Identity } from './identity';
import { FAST_SCRYPT, PASSWORDS, START, appendToSubject, identityFixture, screenedSubject, type IdentityFixture } from './testing';
import type { SignRecordRequest } from './signature.service';

/** Signs as `actor`, reviewing the subject record as it stands unless the request names the version reviewed. */
const signAs = async (f: IdentityFixture, actor: Actor, request: Omit<SignRecordRequest, 'expectedVersion'> & { expectedVersion?: number }) =>
  f.service.signatures.sign(actor, { ...request, expectedVersion: request.expectedVersion ?? (await f.store.streamVersion(subjectStreamId(request.studyId, request.subjectId))) });

const codeOf = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (error) {
    return (error as DomainError).code;
  }
  return 'NO ERROR';
};

const kindOf = async (promise: Promise<unknown>): Promise<string | undefined> => {
  try {
    await promise;
  } catch (error) {
    return (error as DomainError).kind;
  }
  return undefined;
};

const identityTypes = async (f: IdentityFixture): Promise<string[]> => (await f.store.readStream(IDENTITY_STREAM_ID)).map((e) => e.type);

const MINUTE = 60_000;
const DAY = 86_400_000;

describe('Identity: users', () => {
  let f: IdentityFixture;
  beforeEach(async () => {
    f = await identityFixture();
  });
  afterEach(async () => f.store.close());

  it('refuses a second first admin once an administrator exists', async () => {
    // given a ledger with its first admin (fixture); when create-admin runs again; then IDENTITY.ADMIN_EXISTS
    expect(await codeOf(f.service.users.createFirstAdmin({ username: 'eve', fullName: 'Eve', password: 'another long passphrase' }, 'cli'))).toBe('IDENTITY.ADMIN_EXISTS');
    expect((await f.service.users.listUsers(f.admin)).map((u) => u.username)).toEqual(['ada', 'cora', 'ivan', 'mona']);
  });

  it('has no default password: a user cannot be created without one, nor with a short one', async () => {
    const store = new SqliteEventStore(':memory:');
    const service = new Identity(store, f.clock, { scrypt: FAST_SCRYPT });
    expect(await codeOf(service.users.createFirstAdmin({ username: 'root', fullName: 'Root', password: undefined as unknown as string }))).toBe('PASSWORD.REQUIRED');
    expect(await codeOf(service.users.createFirstAdmin({ username: 'root', fullName: 'Root', password: 'elevenchars' }))).toBe('PASSWORD.TOO_SHORT');
    expect(await store.streamVersion(IDENTITY_STREAM_ID)).toBe(0);
    await store.close();
  });

  it('refuses a short password for a new user and writes nothing', async () => {
    const before = await f.store.streamVersion(IDENTITY_STREAM_ID);
    expect(await codeOf(f.service.users.addUser(f.admin, { username: 'sam', fullName: 'Sam', role: 'coordinator', password: 'short' }))).toBe('PASSWORD.TOO_SHORT');
    expect(await f.store.streamVersion(IDENTITY_STREAM_ID)).toBe(before);
  });

  it('never reuses a username, even after deactivation and whatever its case', async () => {
    await f.service.users.deactivateUser(f.admin, { username: 'cora', reason: 'left the site' });
    expect(await codeOf(f.service.users.addUser(f.admin, { username: 'cora', fullName: 'Another Cora', role: 'coordinator', password: 'a brand new passphrase' }))).toBe('IDENTITY.USERNAME_TAKEN');
    expect(await codeOf(f.service.users.addUser(f.admin, { username: 'CORA', fullName: 'Another Cora', role: 'coordinator', password: 'a brand new passphrase' }))).toBe('IDENTITY.USERNAME_TAKEN');
  });

  it('lets only an admin add users, and records the refusal', async () => {
    const refused = f.service.users.addUser(f.investigator, { username: 'sam', fullName: 'Sam', role: 'coordinator', password: 'a brand new passphrase' });
    expect(await codeOf(refused)).toBe('AUTH.ROLE_NOT_ALLOWED');
    const events = await f.store.readStream(IDENTITY_STREAM_ID);
    const last = events.at(-1)!;
    expect(last.type).toBe('AuthorizationRefused');
    expect(last.data).toMatchObject({ username: 'ivan', role: 'investigator', action: 'add users', allowedRoles: ['admin'] });
    expect(f.logger.warnings.at(-1)).toMatch(/authorization refused: ivan/);
  });

  it('keeps the password hash out of every view', async () => {
    const users = await f.service.users.listUsers(f.admin);
    expect(JSON.stringify(users)).not.toMatch(/scrypt|passwordHash/);
    const stored = await f.store.readStream(IDENTITY_STREAM_ID);
    expect(String(stored[0].data.passwordHash)).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
  });

  it('refuses to deactivate or demote the last active admin', async () => {
    expect(await codeOf(f.service.users.deactivateUser(f.admin, { username: 'ada' }))).toBe('IDENTITY.LAST_ADMIN');
    expect(await codeOf(f.service.users.changeRole(f.admin, { username: 'ada', role: 'monitor' }))).toBe('IDENTITY.LAST_ADMIN');
  });

  it('applies a role change to open sessions at once', async () => {
    const { token } = await f.service.auth.login('cora', PASSWORDS.coordinator, { source: 'api' });
    await f.service.users.changeRole(f.admin, { username: 'cora', role: 'investigator', reason: 'promoted to sub-investigator' });
    expect((await f.service.auth.authenticate(token)).role).toBe('investigator');
    const changed = (await f.store.readStream(IDENTITY_STREAM_ID)).at(-1)!;
    expect(changed.type).toBe('UserRoleChanged');
    expect(changed.metadata.reason).toBe('promoted to sub-investigator');
    expect(changed.metadata.actor.username).toBe('ada');
  });
});

describe('Identity: login, lockout and expiry', () => {
  let f: IdentityFixture;
  beforeEach(async () => {
    f = await identityFixture({ passwordMaxAgeDays: 90, maxFailedAttempts: 5, lockoutMinutes: 30 });
  });
  afterEach(async () => f.store.close());

  it('refuses a wrong password and records the attempt with its time and source', async () => {
    f.clock.advance(MINUTE);
    expect(await codeOf(f.service.auth.login('ivan', 'not the passphrase', { source: 'api', ip: '10.0.0.7' }))).toBe('AUTH.INVALID_CREDENTIALS');
    const last = (await f.store.readStream(IDENTITY_STREAM_ID)).at(-1)!;
    expect(last.type).toBe('LoginFailed');
    expect(last.data).toMatchObject({ attemptedUsername: 'ivan', reason: 'wrong-password', consecutiveFailures: 1, ip: '10.0.0.7', purpose: 'login' });
    expect(last.metadata.source).toBe('api');
    expect(last.metadata.recordedAt >= '2026-03-02T09:01:00.000Z').toBe(true);
  });

  it('answers an unknown user exactly like a wrong password, and records a keyed hash instead of what was typed', async () => {
    expect(await codeOf(f.service.auth.login('nobody', 'whatever password', { source: 'api' }))).toBe('AUTH.INVALID_CREDENTIALS');
    expect(await codeOf(f.service.auth.login('NoBody ', 'whatever password', { source: 'api' }))).toBe('AUTH.INVALID_CREDENTIALS');
    const [first, second] = (await f.store.readStream(IDENTITY_STREAM_ID)).slice(-2).map((e) => e.data);
    expect(first).toMatchObject({ attemptedUsername: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/), reason: 'unknown-user', userId: null });
    // The same name typed twice correlates; the name itself is nowhere in the record.
    expect(second.attemptedUsername).toBe(first.attemptedUsername);
    expect(JSON.stringify(await f.store.readStream(IDENTITY_STREAM_ID))).not.toMatch(/nobody/i);
  });

  it('locks the account after 5 consecutive failures, refuses even the right password until the lockout ends', async () => {
    for (let i = 1; i <= 4; i += 1) expect(await codeOf(f.service.auth.login('ivan', `wrong ${i} passphrase`, { source: 'api' }))).toBe('AUTH.INVALID_CREDENTIALS');
    // The locking attempt and those during the lock answer as any wrong password does; the record says why.
    expect(await codeOf(f.service.auth.login('ivan', 'wrong 5 passphrase', { source: 'api' }))).toBe('AUTH.INVALID_CREDENTIALS');
    const lock = (await f.store.readStream(IDENTITY_STREAM_ID)).at(-1)!;
    expect(lock.type).toBe('AccountLockedOut');
    expect(lock).toMatchObject({ schemaVersion: 2, data: { username: 'ivan', consecutiveFailures: 5, lockedUntil: '2026-03-02T09:30:00.000Z' } });
    expect(f.logger.warnings.at(-1)).toMatch(/account locked: ivan/);

    f.clock.advance(29 * MINUTE);
    expect(await codeOf(f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' }))).toBe('AUTH.INVALID_CREDENTIALS');
    expect((await f.store.readStream(IDENTITY_STREAM_ID)).at(-1)!.data).toMatchObject({ reason: 'account-locked' });
    f.clock.advance(MINUTE);
    await expect(f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' })).resolves.toMatchObject({ actor: { username: 'ivan' } });
  });

  it('a success resets the consecutive-failure count', async () => {
    for (let i = 1; i <= 4; i += 1) await codeOf(f.service.auth.login('ivan', `wrong ${i} passphrase`, { source: 'api' }));
    await f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' });
    expect(await codeOf(f.service.auth.login('ivan', 'wrong again passphrase', { source: 'api' }))).toBe('AUTH.INVALID_CREDENTIALS');
  });

  it('refuses an expired password at login until it is changed through the change-password flow', async () => {
    f.clock.advance(90 * DAY);
    expect(await codeOf(f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' }))).toBe('AUTH.PASSWORD_EXPIRED');
    expect(await codeOf(f.service.auth.verifyPassword('ivan', PASSWORDS.investigator, 'cli'))).toBe('AUTH.PASSWORD_EXPIRED');
    expect((await f.store.readStream(IDENTITY_STREAM_ID)).at(-1)!.data).toMatchObject({ reason: 'password-expired', consecutiveFailures: 0 });
    await f.service.auth.changePassword({ username: 'ivan', currentPassword: PASSWORDS.investigator, newPassword: 'a fresh investigator phrase' }, { source: 'api' });
    const result = await f.service.auth.login('ivan', 'a fresh investigator phrase', { source: 'api' });
    expect(result.passwordExpiresAt).toBe(new Date(Date.parse(START) + 180 * DAY).toISOString());
  });

  it('a change of password with the wrong current password counts as a failure and changes nothing', async () => {
    expect(await codeOf(f.service.auth.changePassword({ username: 'ivan', currentPassword: 'wrong wrong wrong', newPassword: 'a fresh investigator phrase' }, { source: 'api' }))).toBe('AUTH.INVALID_CREDENTIALS');
    expect((await identityTypes(f)).at(-1)).toBe('LoginFailed');
    await expect(f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' })).resolves.toBeDefined();
  });

  it('refuses a deactivated user at login', async () => {
    await f.service.users.deactivateUser(f.admin, { username: 'ivan' });
    expect(await codeOf(f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' }))).toBe('AUTH.INVALID_CREDENTIALS');
    expect((await f.store.readStream(IDENTITY_STREAM_ID)).at(-1)!.data).toMatchObject({ reason: 'user-deactivated' });
    await f.service.users.reactivateUser(f.admin, { username: 'ivan', reason: 'back on the study' });
    await expect(f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' })).resolves.toBeDefined();
  });
});

describe('Identity: password reuse', () => {
  let f: IdentityFixture;
  beforeEach(async () => {
    f = await identityFixture({ passwordHistory: 5 });
  });
  afterEach(async () => f.store.close());

  it('refuses any of the last 5 passwords, and accepts the sixth-oldest', async () => {
    const origin = { source: 'api' as const };
    const sequence = [PASSWORDS.coordinator, 'second passphrase!!', 'third passphrase!!!', 'fourth passphrase!!', 'fifth passphrase!!!', 'sixth passphrase!!!'];
    for (let i = 1; i < sequence.length; i += 1) {
      await f.service.auth.changePassword({ username: 'cora', currentPassword: sequence[i - 1], newPassword: sequence[i] }, origin);
    }
    // The last five are sequence[1..5]; the current one is among them.
    for (const reused of sequence.slice(1)) {
      expect(await codeOf(f.service.auth.changePassword({ username: 'cora', currentPassword: 'sixth passphrase!!!', newPassword: reused }, origin))).toBe('PASSWORD.REUSED');
    }
    await f.service.auth.changePassword({ username: 'cora', currentPassword: 'sixth passphrase!!!', newPassword: PASSWORDS.coordinator }, origin);
    await expect(f.service.auth.login('cora', PASSWORDS.coordinator, origin)).resolves.toBeDefined();
  });

  it('given a history of 30, when the 26th password back is chosen again, then it is refused like any other of the last 30', async () => {
    const g = await identityFixture({ passwordHistory: 30 });
    try {
      const origin = { source: 'api' as const };
      const sequence = [PASSWORDS.coordinator, ...Array.from({ length: 26 }, (_, i) => `orchid lantern velvet ${i + 2}`)];
      for (let i = 1; i < sequence.length; i += 1) {
        await g.service.auth.changePassword({ username: 'cora', currentPassword: sequence[i - 1], newPassword: sequence[i] }, origin);
      }
      const current = sequence.at(-1)!;
      // 27 passwords so far, all within the last 30: the oldest two are as recent as the policy says.
      expect(await codeOf(g.service.auth.changePassword({ username: 'cora', currentPassword: current, newPassword: sequence[1] }, origin))).toBe('PASSWORD.REUSED');
      expect(await codeOf(g.service.auth.changePassword({ username: 'cora', currentPassword: current, newPassword: PASSWORDS.coordinator }, origin))).toBe('PASSWORD.REUSED');
    } finally {
      await g.store.close();
    }
  });

  it('an admin reset forces a change at the next login', async () => {
    await f.service.users.resetPassword(f.admin, { username: 'cora', newPassword: 'temporary passphrase 1', reason: 'forgotten password' });
    expect(await codeOf(f.service.auth.login('cora', 'temporary passphrase 1', { source: 'api' }))).toBe('AUTH.PASSWORD_CHANGE_REQUIRED');
    expect(await codeOf(f.service.auth.verifyPassword('cora', 'temporary passphrase 1'))).toBe('AUTH.PASSWORD_CHANGE_REQUIRED');
    await f.service.auth.changePassword({ username: 'cora', currentPassword: 'temporary passphrase 1', newPassword: 'my own passphrase 1' }, { source: 'api' });
    await expect(f.service.auth.login('cora', 'my own passphrase 1', { source: 'api' })).resolves.toBeDefined();
  });
});

describe('Identity: sessions', () => {
  let f: IdentityFixture;
  beforeEach(async () => {
    f = await identityFixture({ sessionInactivityMinutes: 15, sessionAbsoluteMinutes: 60 });
  });
  afterEach(async () => f.store.close());

  it('returns the actor for a live token and an opaque token whose hash only is kept', async () => {
    const { token, expiresAt, actor } = await f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    expect(expiresAt).toBe('2026-03-02T09:15:00.000Z');
    expect(await f.service.auth.authenticate(token)).toEqual(actor);
    expect(JSON.stringify(await f.store.readStream(IDENTITY_STREAM_ID))).not.toContain(token);
  });

  it('refuses a forged or malformed token', async () => {
    await f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' });
    expect(await codeOf(f.service.auth.authenticate('A'.repeat(43)))).toBe('AUTH.TOKEN_INVALID');
    expect(await codeOf(f.service.auth.authenticate('not a token'))).toBe('AUTH.TOKEN_INVALID');
    expect(await codeOf(f.service.auth.authenticate(undefined))).toBe('AUTH.TOKEN_INVALID');
    expect(await kindOf(f.service.auth.authenticate('x'))).toBe('unauthenticated');
  });

  it('expires a session after inactivity, but not while it is used', async () => {
    const { token } = await f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' });
    f.clock.advance(14 * MINUTE);
    await f.service.auth.authenticate(token);
    f.clock.advance(14 * MINUTE);
    await f.service.auth.authenticate(token);
    f.clock.advance(15 * MINUTE);
    expect(await codeOf(f.service.auth.authenticate(token))).toBe('AUTH.SESSION_EXPIRED');
    // The session stays in the store (until past its lifetime), so presented again it still says why.
    expect(await codeOf(f.service.auth.authenticate(token))).toBe('AUTH.SESSION_EXPIRED');
  });

  it('ends a session at its absolute lifetime however active it is', async () => {
    const { token } = await f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' });
    for (let i = 0; i < 5; i += 1) {
      f.clock.advance(10 * MINUTE);
      await f.service.auth.authenticate(token);
    }
    f.clock.advance(10 * MINUTE);
    expect(await codeOf(f.service.auth.authenticate(token))).toBe('AUTH.SESSION_EXPIRED');
  });

  it('logout revokes the token and is recorded', async () => {
    const { token, sessionId } = await f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' });
    await f.service.auth.logout(token);
    expect(await codeOf(f.service.auth.authenticate(token))).toBe('AUTH.TOKEN_INVALID');
    expect((await f.store.readStream(IDENTITY_STREAM_ID)).at(-1)!.data).toMatchObject({ username: 'ivan', sessionId });
  });

  it("stops a deactivated user's token at once", async () => {
    const { token } = await f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' });
    await f.service.users.deactivateUser(f.admin, { username: 'ivan', reason: 'left the site' });
    expect(await codeOf(f.service.auth.authenticate(token))).toBe('AUTH.USER_DEACTIVATED');
  });

  it('sees a deactivation made by another process on the same ledger', async () => {
    const { token } = await f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' });
    const cli = new Identity(f.store, f.clock, { scrypt: FAST_SCRYPT });
    await cli.users.deactivateUser(f.admin, { username: 'ivan' }, 'cli');
    expect(await codeOf(f.service.auth.authenticate(token))).toBe('AUTH.USER_DEACTIVATED');
  });

  it('a session opened before a deactivation stays dead after a reactivation by another process', async () => {
    const { token } = await f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' });
    const cli = new Identity(f.store, f.clock, { scrypt: FAST_SCRYPT });
    f.clock.advance(60_000);
    await cli.users.deactivateUser(f.admin, { username: 'ivan' }, 'cli');
    await cli.users.reactivateUser(f.admin, { username: 'ivan' }, 'cli');
    f.clock.advance(60_000);
    const fresh = await f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' });
    expect(await codeOf(f.service.auth.authenticate(token))).toBe('AUTH.USER_DEACTIVATED');
    await expect(f.service.auth.authenticate(fresh.token)).resolves.toMatchObject({ username: 'ivan' });
  });

  it('a password changed by another process ends the sessions opened before it', async () => {
    const { token } = await f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' });
    f.clock.advance(60_000);
    const cli = new Identity(f.store, f.clock, { scrypt: FAST_SCRYPT });
    await cli.auth.changePassword({ username: 'ivan', currentPassword: PASSWORDS.investigator, newPassword: 'another investigator phrase' }, { source: 'cli' });
    expect(await codeOf(f.service.auth.authenticate(token))).toBe('AUTH.TOKEN_INVALID');
  });

  it('a password change ends the open sessions', async () => {
    const { token } = await f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' });
    await f.service.auth.changePassword({ username: 'ivan', currentPassword: PASSWORDS.investigator, newPassword: 'another investigator phrase' }, { source: 'api' });
    expect(await codeOf(f.service.auth.authenticate(token))).toBe('AUTH.TOKEN_INVALID');
  });
});

describe('Identity: electronic signatures', () => {
  const studyId = 'LANR-HGNET-01';
  let f: IdentityFixture;
  beforeEach(async () => {
    f = await identityFixture();
    await appendToSubject(f.store, studyId, 'S001', screenedSubject('S001'), f.coordinator);
  });
  afterEach(async () => f.store.close());

  const signRequest = (overrides: Record<string, unknown> = {}) => ({
    username: 'ivan', password: PASSWORDS.investigator, meaning: 'approval' as const, studyId, subjectId: 'S001', scope: 'casebook' as const, ...overrides,
  });
  const subjectVersion = () => f.store.streamVersion(subjectStreamId(studyId, 'S001'));

  it('signs the casebook: printed name, UTC time, meaning and the hash of exactly what was signed', async () => {
    f.clock.set('2026-04-30T14:05:00.000Z');
    const result = await signAs(f, f.investigator, signRequest());
    expect(result).toMatchObject({
      type: 'CasebookSigned', signerUsername: 'ivan', signerFullName: 'Dr Ivan Investigator', meaning: 'approval',
      signedAt: '2026-04-30T14:05:00.000Z', signedThroughVersion: 2, streamVersion: 3, targetEventId: null,
    });
    const stream = await f.store.readStream(subjectStreamId(studyId, 'S001'));
    expect(stream[2].data).toMatchObject({ signedEventHash: stream[1].hash, hashAlgorithm: 'SHA-256' });
    expect(stream[2].metadata.actor.username).toBe('ivan');
    expect(JSON.stringify(stream[2])).not.toContain(PASSWORDS.investigator);
    await expect(f.service.signatures.verify(result.signatureEventId)).resolves.toMatchObject({ intact: true, status: 'valid', fault: null });
  });

  it('refuses a wrong password: nothing signed, the failure counted and reported at once', async () => {
    expect(await codeOf(signAs(f, f.investigator, signRequest({ password: 'not my passphrase' })))).toBe('SIGNATURE.PASSWORD_INVALID');
    expect(await subjectVersion()).toBe(2);
    const failed = (await f.store.readStream(IDENTITY_STREAM_ID)).at(-1)!;
    expect(failed.type).toBe('SignatureFailed');
    expect(failed.data).toMatchObject({ username: 'ivan', reason: 'wrong-password', consecutiveFailures: 1, studyId, subjectId: 'S001' });
    expect(f.logger.warnings.at(-1)).toMatch(/signature failure \(wrong-password\).*1 consecutive/);
    expect(await codeOf(signAs(f, f.investigator, signRequest({ password: 'still not my passphrase' })))).toBe('SIGNATURE.PASSWORD_INVALID');
    expect((await f.store.readStream(IDENTITY_STREAM_ID)).at(-1)!.data).toMatchObject({ consecutiveFailures: 2 });
  });

  it('repeated signature failures lock the account', async () => {
    for (let i = 0; i < 4; i += 1) await codeOf(signAs(f, f.investigator, signRequest({ password: `wrong ${i} passphrase` })));
    const fifth = await codeOf(signAs(f, f.investigator, signRequest({ password: 'wrong 5 passphrase' })));
    expect(fifth).toBe('SIGNATURE.PASSWORD_INVALID');
    expect(await identityTypes(f)).toContain('AccountLockedOut');
    expect(await codeOf(signAs(f, f.investigator, signRequest()))).toBe('AUTH.ACCOUNT_LOCKED');
    expect(await subjectVersion()).toBe(2);
  });

  it('refuses signing as someone else, even with their right password', async () => {
    await f.service.users.addUser(f.admin, { username: 'iris', fullName: 'Dr Iris Other', role: 'investigator', password: 'second signer phrase 01' });
    expect(await codeOf(signAs(f, f.investigator, signRequest({ username: 'iris', password: 'second signer phrase 01' })))).toBe('SIGNATURE.SIGNER_MISMATCH');
    expect(await subjectVersion()).toBe(2);
    expect((await f.store.readStream(IDENTITY_STREAM_ID)).at(-1)!.data).toMatchObject({ reason: 'signer-mismatch', attemptedSigner: 'iris', username: 'ivan' });
  });

  it('records a signer name that names nobody (a password typed there, escapes, a bidi override) only as a keyed digest', async () => {
    for (const typed of ['my secret passphrase 77', 'ivan\u001b[2K\u202Eevil']) {
      expect(await codeOf(signAs(f, f.investigator, signRequest({ username: typed })))).toBe('SIGNATURE.SIGNER_MISMATCH');
      const recorded = (await f.store.readStream(IDENTITY_STREAM_ID)).at(-1)!;
      expect(recorded.type).toBe('SignatureFailed');
      expect(recorded.data).toMatchObject({ reason: 'signer-mismatch', username: 'ivan', attemptedSigner: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/) });
      expect(JSON.stringify(recorded)).not.toContain('passphrase 77');
    }
    // A case variant of one's own name still signs as oneself.
    expect((await signAs(f, f.investigator, signRequest({ username: 'IVAN' }))).signerUsername).toBe('ivan');
  });

  it('lets only an investigator sign the casebook', async () => {
    expect(await codeOf(signAs(f, f.coordinator, signRequest({ username: 'cora', password: PASSWORDS.coordinator })))).toBe('AUTH.ROLE_NOT_ALLOWED');
    expect((await f.store.readStream(IDENTITY_STREAM_ID)).at(-1)!.data).toMatchObject({ action: 'SignCasebook', username: 'cora' });
    expect(await subjectVersion()).toBe(2);
  });

  it('lets a monitor sign a record only as reviewed: approval, authorship or responsibility is refused before the password is checked, and recorded', async () => {
    const [screened] = await f.store.readStream(subjectStreamId(studyId, 'S001'));
    for (const meaning of ['approval', 'authorship', 'responsibility'] as const) {
      const refused = signAs(f, f.monitor, signRequest({ username: 'mona', password: 'not the monitor passphrase', meaning, scope: { eventId: screened.eventId } }));
      expect(await codeOf(refused)).toBe('AUTH.ROLE_NOT_ALLOWED');
      expect((await f.store.readStream(IDENTITY_STREAM_ID)).at(-1)!).toMatchObject({ type: 'AuthorizationRefused', data: { username: 'mona', action: 'SignRecord' } });
    }
    expect(await subjectVersion()).toBe(2);
  });

  it('signs authorship only of what the signer recorded ("I entered these data")', async () => {
    const [screened] = await f.store.readStream(subjectStreamId(studyId, 'S001'));
    // The coordinator recorded the subject's entries: the investigator is not their author, of one record or of the casebook.
    expect(await codeOf(signAs(f, f.investigator, signRequest({ meaning: 'authorship', scope: { eventId: screened.eventId } })))).toBe('SIGNATURE.NOT_AUTHOR');
    expect(await codeOf(signAs(f, f.investigator, signRequest({ meaning: 'authorship' })))).toBe('SIGNATURE.NOT_AUTHOR');
    expect(await subjectVersion()).toBe(2);
    const own = await signAs(f, f.coordinator, signRequest({ username: 'cora', password: PASSWORDS.coordinator, meaning: 'authorship', scope: { eventId: screened.eventId } }));
    expect(own).toMatchObject({ type: 'RecordSigned', meaning: 'authorship', signerUsername: 'cora' });
  });

  it('signs one record; a later correction of it marks the signature superseded, not carried over', async () => {
    const [screened] = await f.store.readStream(subjectStreamId(studyId, 'S001'));
    const result = await signAs(f, f.monitor, signRequest({ username: 'mona', password: PASSWORDS.monitor, meaning: 'review', scope: { eventId: screened.eventId } }));
    expect(result).toMatchObject({ type: 'RecordSigned', targetEventId: screened.eventId, meaning: 'review', signerFullName: 'Mona Monitor' });
    await appendToSubject(f.store, studyId, 'S001', [
      { type: 'EntryCorrected', data: { targetEventId: screened.eventId, targetType: 'SubjectScreened', before: { birthYear: 1960 }, after: { birthYear: 1961 }, reason: 'transcription error' } },
    ], f.coordinator);
    const [state] = await f.service.signatures.list(studyId, 'S001');
    expect(state).toMatchObject({ status: 'superseded', signerFullName: 'Mona Monitor', meaning: 'review' });
    expect(state.supersededBy).toHaveLength(1);
    await expect(f.service.signatures.verify(result.signatureEventId)).resolves.toMatchObject({ intact: true, status: 'superseded' });
  });

  it('refuses a signature that names no reviewed version, before the password is checked', async () => {
    const { expectedVersion: _reviewed, ...unpinned } = { ...signRequest(), expectedVersion: 0 };
    expect(await codeOf(f.service.signatures.sign(f.investigator, unpinned as SignRecordRequest))).toBe('SIGNATURE.VERSION_REQUIRED');
    expect(await codeOf(f.service.signatures.sign(f.investigator, { ...signRequest({ password: 'not my passphrase' }), expectedVersion: -1 }))).toBe('SIGNATURE.VERSION_REQUIRED');
    expect(await subjectVersion()).toBe(2);
    // Neither attempt counted towards lockout: the right password still signs.
    expect((await signAs(f, f.investigator, signRequest())).signedThroughVersion).toBe(2);
  });

  it('refuses to sign when the casebook moved since the signer reviewed it', async () => {
    expect(await codeOf(signAs(f, f.investigator, signRequest({ expectedVersion: 1 })))).toBe('CONCURRENCY.VERSION_CONFLICT');
    expect(await subjectVersion()).toBe(2);
  });

  it('refuses an unknown subject and an unknown record', async () => {
    expect(await codeOf(signAs(f, f.investigator, signRequest({ subjectId: 'S999' })))).toBe('SUBJECT.NOT_FOUND');
    expect(await codeOf(signAs(f, f.investigator, signRequest({ scope: { eventId: '0190aaaa-0000-7000-8000-000000000000' } })))).toBe('SIGNATURE.TARGET_NOT_FOUND');
  });

  it('content changed under a signature is detected by recomputing the binding (even by someone who bypasses the triggers)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'identity-tamper-'));
    const file = join(dir, 'ledger.sqlite');
    const g = await identityFixture({}, new SqliteEventStore(file));
    await appendToSubject(g.store, studyId, 'S001', screenedSubject('S001'), g.coordinator);
    const result = await signAs(g, g.investigator, signRequest());
    expect((await g.service.signatures.verify(result.signatureEventId)).intact).toBe(true);
    const raw = new Database(file);
    raw.exec('DROP TRIGGER events_no_update');
    raw.prepare("UPDATE events SET data = json_set(data, '$.birthYear', 1999) WHERE stream_id = ? AND stream_version = 1").run(subjectStreamId(studyId, 'S001'));
    raw.close();
    expect(await g.service.signatures.verify(result.signatureEventId)).toMatchObject({ intact: false, fault: 'covered-content-altered' });
    await g.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a signature copied onto another subject is detected', async () => {
    const result = await signAs(f, f.investigator, signRequest());
    await appendToSubject(f.store, studyId, 'S002', screenedSubject('S002'), f.coordinator);
    const original = (await f.store.getEvent(result.signatureEventId))!;
    const [copied] = await appendToSubject(f.store, studyId, 'S002', [{ type: original.type, data: original.data }], f.investigator);
    expect((await f.service.signatures.verify(copied.eventId)).fault).toBe('moved');
    const [rebound] = await appendToSubject(f.store, studyId, 'S002', [{ type: original.type, data: { ...original.data, subjectId: 'S002' } }], f.investigator);
    expect((await f.service.signatures.verify(rebound.eventId)).fault).toBe('hash-mismatch');
  });
});
