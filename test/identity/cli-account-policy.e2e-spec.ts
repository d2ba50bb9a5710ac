import { join } from 'node:path';
import { IDENTITY_STREAM_ID } from '@trial-ledger/domain';
import { openEventStore } from '@trial-ledger/event-store';
import { identityPolicy, recordConfiguredAccountPolicy } from '@trial-ledger/identity';
import { PASSWORD, cli, seedUsers, tempDir } from '../cli/cli-harness';

/**
 * The CLI applies the account policy recorded on the ledger (by `serve`), not one its own environment
 * makes up: a shell user could otherwise lift the lockout or the password history for their run, unrecorded.
 */
describe('CLI: the account policy recorded on the ledger', () => {
  let dir: { path: string; remove(): void };
  let store: string;
  const run = (argv: string[], env: Record<string, string | undefined> = {}) => cli(['--store', store, ...argv], { TRIAL_LEDGER_NEW_PASSWORD: undefined, ...env });
  const identityTypes = async (): Promise<string[]> => {
    const s = await openEventStore(store);
    try {
      return (await s.readStream(IDENTITY_STREAM_ID)).map((e) => e.type);
    } finally {
      await s.close();
    }
  };

  beforeEach(async () => {
    dir = tempDir();
    store = `sqlite:${join(dir.path, 'ledger.sqlite')}`;
    await seedUsers(store);
    // What a `serve` started with TRIAL_LEDGER_MAX_FAILED_ATTEMPTS=3 records.
    const s = await openEventStore(store);
    try {
      await recordConfiguredAccountPolicy(s, identityPolicy({ maxFailedAttempts: 3 }));
    } finally {
      await s.close();
    }
  });
  afterEach(() => dir.remove());

  it('given a recorded lockout after 3 failures, when --as is tried 3 times with a wrong password and no policy variable, then the account is locked out', async () => {
    for (let i = 0; i < 3; i += 1) {
      const attempt = await run(['--as', 'investigator', 'query', 'list', '--json'], { TRIAL_LEDGER_PASSWORD: 'not the password at all' });
      expect(attempt.status).toBe(1);
    }
    expect(await identityTypes()).toContain('AccountLockedOut');
  });

  it('given a recorded policy, when the CLI environment sets another lockout threshold, then it is refused with exit 2 and no attempt is recorded', async () => {
    const before = await identityTypes();
    const result = await run(['--as', 'investigator', 'query', 'list', '--json'], { TRIAL_LEDGER_PASSWORD: 'not the password at all', TRIAL_LEDGER_MAX_FAILED_ATTEMPTS: '100' });
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout).error).toMatchObject({ code: 'CONFIG.ACCOUNT_POLICY_NOT_RECORDED', message: expect.stringContaining('TRIAL_LEDGER_MAX_FAILED_ATTEMPTS (recorded maxFailedAttempts: 3)') });
    expect(await identityTypes()).toEqual(before);
  });

  it('given a recorded password history, when change-password runs with TRIAL_LEDGER_PASSWORD_HISTORY=0, then it is refused and the password is unchanged', async () => {
    const before = await identityTypes();
    const result = await run(['--as', 'investigator', 'users', 'change-password', '--json'], {
      TRIAL_LEDGER_PASSWORD: PASSWORD,
      TRIAL_LEDGER_NEW_PASSWORD: 'a quite different passphrase 77',
      TRIAL_LEDGER_PASSWORD_HISTORY: '0',
    });
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout).error.code).toBe('CONFIG.ACCOUNT_POLICY_NOT_RECORDED');
    expect(await identityTypes()).toEqual(before);
  });

  it('given a recorded policy, when the CLI environment sets the recorded values, then the command runs', async () => {
    // An export as the monitor (this ledger holds users only, no study a query list could name).
    const out = join(dir.path, 'trail.csv');
    const result = await run(['--as', 'monitor', 'export', 'audit-trail', '--format', 'csv', '--out', out, '--json'], {
      TRIAL_LEDGER_PASSWORD: PASSWORD,
      TRIAL_LEDGER_MAX_FAILED_ATTEMPTS: '3',
      TRIAL_LEDGER_PASSWORD_HISTORY: '5',
    });
    expect(result.status).toBe(0);
    expect(await identityTypes()).not.toContain('AccountLockedOut');
  });
});
