import type { DomainError } from '@trial-ledger/domain';
import { SqliteEventStore, StoreWriteError } from '@trial-ledger/event-store';
import { Identity } from '../identity';
import { FAST_SCRYPT, PASSWORDS, RecordingLogger, identityFixture, type IdentityFixture } from '../testing';
import { MemorySessionStore, type NewSession, type StoredSession } from './session-store';

/**
 * The real in-memory session store, stamping a session's start with its own clock when it writes it,
 * as PostgreSQL's does (the database's time, shared by every server); and letting something else happen
 * on the ledger at the moment a login has been decided and its session is about to be written: what
 * another request (an administrator's reset or deactivation, on another server) can do between the two.
 */
class InterleavingSessionStore extends MemorySessionStore {
  meanwhile: (() => Promise<unknown>) | null = null;

  constructor(private readonly clock: { now(): string }) {
    super();
  }

  override async insert(session: NewSession): Promise<StoredSession> {
    const other = this.meanwhile;
    this.meanwhile = null;
    if (other) await other();
    return super.insert({ ...session, createdAtMs: Date.parse(this.clock.now()) });
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

/**
 * A login is decided (`LoginSucceeded`) and then its session is written. A password reset for lost
 * credentials (§11.300(c)) or a deactivation recorded between the two ends "every session" of the
 * account before the new one exists: the new session must not outlive it.
 */
describe('Identity: a login racing a revocation', () => {
  let f: IdentityFixture;
  let sessions: InterleavingSessionStore;
  let server: Identity;
  beforeEach(async () => {
    f = await identityFixture({}, new SqliteEventStore(':memory:'));
    sessions = new InterleavingSessionStore(f.clock);
    server = new Identity(f.store, f.clock, { scrypt: FAST_SCRYPT }, { logger: new RecordingLogger(), sessions });
  });
  afterEach(async () => f.store.close());

  it('given the password reset between the login decision and its session, then no token is answered', async () => {
    sessions.meanwhile = async () => {
      f.clock.advance(1_000);
      await f.service.users.resetPassword(f.admin, { username: 'ivan', newPassword: 'a temporary passphrase 7', reason: 'credentials reported lost' });
      f.clock.advance(1_000);
    };

    expect(await codeOf(server.auth.login('ivan', PASSWORDS.investigator, { source: 'api' }))).toBe('AUTH.TOKEN_INVALID');
    expect(await codeOf(server.auth.login('ivan', PASSWORDS.investigator, { source: 'api' }))).toBe('AUTH.INVALID_CREDENTIALS');
  });

  it('given the account deactivated between the login decision and its session, then no usable token is answered', async () => {
    sessions.meanwhile = async () => {
      await f.service.users.deactivateUser(f.admin, { username: 'ivan', reason: 'left the site' });
    };

    expect(await codeOf(server.auth.login('ivan', PASSWORDS.investigator, { source: 'api' }))).toBe('AUTH.USER_DEACTIVATED');
  });

  it('given a session store that cannot write (its file locked elsewhere), then the login fails with that problem, not a "recorded" answer without a token', async () => {
    sessions.meanwhile = () => Promise.reject(new StoreWriteError('STORE.LOCKED', 'the sessions file is locked by another process'));

    await expect(server.auth.login('ivan', PASSWORDS.investigator, { source: 'api' })).rejects.toMatchObject({ name: 'StoreWriteError', code: 'STORE.LOCKED' });
    const { token } = await server.auth.login('ivan', PASSWORDS.investigator, { source: 'api' });
    expect((await server.auth.authenticate(token)).username).toBe('ivan');
  });

  it('given nothing between the decision and the session, then the token works', async () => {
    const { token, actor } = await server.auth.login('ivan', PASSWORDS.investigator, { source: 'api' });
    expect(await server.auth.authenticate(token)).toEqual(actor);
  });
});
