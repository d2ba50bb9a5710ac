import { IDENTITY_STREAM_ID, subjectStreamId, type DomainError } from '@trial-ledger/domain';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { PASSWORDS, appendToSubject, identityFixture, screenedSubject, type IdentityFixture } from './testing';

/**
 * The real SQLite store, which lets something else be recorded in the identity stream at the moment a
 * command reads it to decide: what another request (an administrator's reset, on this server or another)
 * can record while a password typed by someone else is being checked (scrypt takes a noticeable time).
 */
class InterleavingEventStore extends SqliteEventStore {
  meanwhile: (() => Promise<unknown>) | null = null;

  override async readStream(...args: Parameters<SqliteEventStore['readStream']>): ReturnType<SqliteEventStore['readStream']> {
    const other = args[0] === IDENTITY_STREAM_ID ? this.meanwhile : null;
    if (other) {
      this.meanwhile = null;
      await other();
    }
    return super.readStream(...args);
  }
}

const codeOf = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (error) {
    return (error as DomainError).code;
  }
  return 'NO ERROR';
};

const RESET_TO = 'a temporary passphrase 7';

/**
 * An administrator resets a password reported stolen (§11.300(c)). Whoever types the old one must not get
 * in, sign, or choose a password of their own — not even when the old one was being checked as the reset
 * was recorded: a password is judged against the account the decision is made on.
 */
describe('Identity: a password checked while a reset is recorded', () => {
  let f: IdentityFixture;
  let store: InterleavingEventStore;
  beforeEach(async () => {
    store = new InterleavingEventStore(':memory:');
    f = await identityFixture({}, store);
    // The identity state is read (and cached) now, so the next command's own read is where the reset lands.
    await f.service.users.listUsers(f.admin);
  });
  afterEach(async () => f.store.close());

  const resetMeanwhile = (): void => {
    store.meanwhile = async () => {
      f.clock.advance(1_000);
      await f.service.users.resetPassword(f.admin, { username: 'ivan', newPassword: RESET_TO, reason: 'credentials reported stolen' });
      f.clock.advance(1_000);
    };
  };
  const lastIdentityEvent = async () => (await f.store.readStream(IDENTITY_STREAM_ID)).at(-1)!;

  it('given the old password at login, then the login fails (AUTH.INVALID_CREDENTIALS) and no session is opened', async () => {
    resetMeanwhile();

    expect(await codeOf(f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' }))).toBe('AUTH.INVALID_CREDENTIALS');
    expect(await lastIdentityEvent()).toMatchObject({ type: 'LoginFailed', data: { reason: 'wrong-password' } });
  });

  it('given the old password at login while its owner changes it, then the login fails and no session is opened', async () => {
    store.meanwhile = async () => {
      f.clock.advance(1_000);
      await f.service.auth.changePassword({ username: 'ivan', currentPassword: PASSWORDS.investigator, newPassword: 'my new investigator phrase 2' }, { source: 'api' });
      f.clock.advance(1_000);
    };

    expect(await codeOf(f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' }))).toBe('AUTH.INVALID_CREDENTIALS');
    expect(await lastIdentityEvent()).toMatchObject({ type: 'LoginFailed', data: { reason: 'wrong-password' } });
  });

  it('given the old password as the current one of a change, then nothing is changed and the reset password stands', async () => {
    resetMeanwhile();

    const change = f.service.auth.changePassword({ username: 'ivan', currentPassword: PASSWORDS.investigator, newPassword: 'the thief chose this one 9' }, { source: 'api' });

    expect(await codeOf(change)).toBe('AUTH.INVALID_CREDENTIALS');
    expect(await lastIdentityEvent()).toMatchObject({ type: 'LoginFailed', data: { purpose: 'change-password', reason: 'wrong-password' } });
    expect(await codeOf(f.service.auth.login('ivan', RESET_TO, { source: 'api' }))).toBe('AUTH.PASSWORD_CHANGE_REQUIRED');
  });

  it('given the old password re-entered to sign, then nothing is signed (SIGNATURE.PASSWORD_INVALID)', async () => {
    const studyId = 'LANR-HGNET-01';
    await appendToSubject(f.store, studyId, 'S001', screenedSubject('S001'), f.coordinator);
    await f.service.users.listUsers(f.admin);
    resetMeanwhile();

    const sign = f.service.signatures.sign(f.investigator, { username: 'ivan', password: PASSWORDS.investigator, meaning: 'approval', studyId, subjectId: 'S001', scope: 'casebook', expectedVersion: 2 });

    expect(await codeOf(sign)).toBe('SIGNATURE.PASSWORD_INVALID');
    expect(await f.store.streamVersion(subjectStreamId(studyId, 'S001'))).toBe(2);
  });

  it('given no reset, then the same password logs in', async () => {
    await expect(f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' })).resolves.toMatchObject({ actor: { username: 'ivan' } });
  });
});
