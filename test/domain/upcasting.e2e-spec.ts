import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { toRecorded } from '@trial-ledger/command-pipeline';
import { IDENTITY_STREAM_ID, SYSTEM_ACTOR, type AccountLockedOut } from '@trial-ledger/domain';
import { SqliteEventStore, verifyStore } from '@trial-ledger/event-store';
import { PASSWORDS, identityFixture, type IdentityFixture } from '../../libs/identity/src/testing';

/**
 * The upcaster pattern through the real read path: an `AccountLockedOut` written at schema version 1
 * (before `failures` became `consecutiveFailures`) sits in a real SQLite ledger; the pipeline reads it
 * in the current shape, the identity fold honours it, its stored bytes and hash are unchanged, and new
 * lockouts are written at version 2.
 */
describe('AccountLockedOut schema version 1 → 2 in a real SQLite ledger', () => {
  let dir: string;
  let f: IdentityFixture;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upcasting-'));
    f = await identityFixture({ maxFailedAttempts: 3, lockoutMinutes: 30 }, new SqliteEventStore(join(dir, 'ledger.sqlite')));
  });
  afterEach(async () => {
    await f.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given a version-1 lockout in the ledger, the pipeline reads it as version 2 and the account stays locked', async () => {
    const version = await f.store.streamVersion(IDENTITY_STREAM_ID);
    const lockedUntil = new Date(Date.parse(f.clock.now()) + 30 * 60_000).toISOString();
    await f.store.append({
      writes: [{
        streamId: IDENTITY_STREAM_ID,
        expectedVersion: version,
        events: [{
          eventId: uuidv7(),
          type: 'AccountLockedOut',
          schemaVersion: 1,
          data: { userId: f.investigator.userId, username: 'ivan', failures: 5, lockedUntil },
          metadata: { actor: SYSTEM_ACTOR, reason: null, correlationId: uuidv7(), causationId: null, idempotencyKey: null, source: 'system', protocolVersion: null },
        }],
      }],
    });

    const stored = (await f.store.readStream(IDENTITY_STREAM_ID)).at(-1)!;
    expect(stored).toMatchObject({ schemaVersion: 1, data: { failures: 5 } });
    const read = toRecorded<AccountLockedOut>(stored);
    expect(read.data).toEqual({ userId: f.investigator.userId, username: 'ivan', consecutiveFailures: 5, lockedUntil });

    // The right password is refused (answered as any failed login) and recorded as a login to a locked account
    await expect(f.service.auth.login('ivan', PASSWORDS.investigator, { source: 'api' })).rejects.toMatchObject({ code: 'AUTH.INVALID_CREDENTIALS' });
    expect((await f.store.readStream(IDENTITY_STREAM_ID)).at(-1)).toMatchObject({ type: 'LoginFailed', data: { reason: 'account-locked' } });
    expect((await verifyStore(f.store)).fault).toBeNull();
  });

  it('when an account is locked now, the event is written at version 2 with consecutiveFailures', async () => {
    for (let i = 1; i <= 3; i += 1) await f.service.auth.login('ivan', `wrong passphrase ${i}`, { source: 'api' }).catch(() => undefined);
    const lock = (await f.store.readStream(IDENTITY_STREAM_ID)).find((e) => e.type === 'AccountLockedOut')!;
    expect(lock).toMatchObject({ schemaVersion: 2, data: { username: 'ivan', consecutiveFailures: 3 } });
    expect(toRecorded(lock).data).toEqual(lock.data);
  });
});
