import { join } from 'node:path';
import { IDENTITY_STREAM_ID } from '@trial-ledger/domain';
import { openEventStore } from '@trial-ledger/event-store';
import { cli, tempDir } from '../cli/cli-harness';

/** `trial-ledger users …` as a user runs it: passwords from the environment, never from arguments. */
describe('CLI: trial-ledger users', () => {
  const ADMIN_PASSWORD = 'correct horse battery staple';
  const NEW_PASSWORD = 'investigator passphrase 1';
  let dir: { path: string; remove(): void };
  let store: string;
  const run = (argv: string[], env: Record<string, string | undefined> = {}) =>
    cli(['--store', store, ...argv], { TRIAL_LEDGER_PASSWORD: undefined, TRIAL_LEDGER_NEW_PASSWORD: undefined, ...env });
  const identityEvents = async () => {
    const s = await openEventStore(store);
    try {
      return await s.readStream(IDENTITY_STREAM_ID);
    } finally {
      await s.close();
    }
  };

  beforeEach(() => {
    dir = tempDir();
    store = `sqlite:${join(dir.path, 'ledger.sqlite')}`;
  });
  afterEach(() => dir.remove());

  it('creates the first admin once, then refuses with IDENTITY.ADMIN_EXISTS', async () => {
    const created = await run(['users', 'create-admin', '--username', 'ada', '--full-name', 'Ada Admin', '--json'], { TRIAL_LEDGER_PASSWORD: ADMIN_PASSWORD });
    expect(created.status).toBe(0);
    expect(JSON.parse(created.stdout).user).toMatchObject({ username: 'ada', role: 'admin', status: 'active' });
    expect(created.stdout).not.toMatch(/scrypt/);
    const again = await run(['users', 'create-admin', '--username', 'eve', '--full-name', 'Eve', '--json'], { TRIAL_LEDGER_PASSWORD: 'another long passphrase' });
    expect(again.status).not.toBe(0);
    expect(JSON.parse(again.stdout).error.code).toBe('IDENTITY.ADMIN_EXISTS');
  });

  it('has no default password: create-admin without one and off a terminal fails and writes nothing', async () => {
    const result = await run(['users', 'create-admin', '--username', 'ada', '--full-name', 'Ada Admin']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/TRIAL_LEDGER_PASSWORD/);
    expect(await identityEvents()).toHaveLength(0);
  });

  it.each([
    [['users', 'create-admin', '--username', 'Ada Admin', '--full-name', 'Ada Admin'], 'IDENTITY.USERNAME_INVALID'],
    [['users', 'create-admin', '--username', 'system', '--full-name', 'Ada Admin'], 'IDENTITY.USERNAME_RESERVED'],
    [['--as', 'ada', 'users', 'add', '--username', 'Pat Smith', '--full-name', 'Pat Smith', '--role', 'coordinator'], 'IDENTITY.USERNAME_INVALID'],
  ])('%j: a --username off the username rule is a wrong command line (exit 2) refused before a password is read or anything recorded', async (argv, code) => {
    await run(['users', 'create-admin', '--username', 'ada', '--full-name', 'Ada Admin'], { TRIAL_LEDGER_PASSWORD: ADMIN_PASSWORD });
    const before = await identityEvents();
    // No password in the environment: asking for one would fail with AUTH.PASSWORD_REQUIRED instead.
    const result = await run([...argv, '--json']);
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout).error.code).toBe(code);
    expect(await identityEvents()).toHaveLength(before.length);
  });

  it('adds, lists, changes the role of, deactivates and reactivates a user; the username is never reused', async () => {
    await run(['users', 'create-admin', '--username', 'ada', '--full-name', 'Ada Admin'], { TRIAL_LEDGER_PASSWORD: ADMIN_PASSWORD });
    const asAdmin = { TRIAL_LEDGER_PASSWORD: ADMIN_PASSWORD, TRIAL_LEDGER_NEW_PASSWORD: NEW_PASSWORD };
    const added = await run(['--as', 'ada', 'users', 'add', '--username', 'ivan', '--full-name', 'Dr Ivan Investigator', '--role', 'investigator', '--reason', 'site initiation'], asAdmin);
    expect(added.status).toBe(0);
    expect(added.stdout).toMatch(/user added: ivan\s+investigator\s+active\s+Dr Ivan Investigator/);

    expect((await run(['--as', 'ada', 'users', 'set-role', 'ivan', 'coordinator', '--reason', 'sub-investigator left'], asAdmin)).status).toBe(0);
    expect((await run(['--as', 'ada', 'users', 'deactivate', 'ivan', '--reason', 'left the site'], asAdmin)).status).toBe(0);
    const list = await run(['--as', 'ada', 'users', 'list', '--json'], asAdmin);
    expect(JSON.parse(list.stdout).users).toEqual([
      expect.objectContaining({ username: 'ada', role: 'admin', status: 'active' }),
      expect.objectContaining({ username: 'ivan', role: 'coordinator', status: 'deactivated' }),
    ]);
    const reuse = await run(['--as', 'ada', 'users', 'add', '--username', 'ivan', '--full-name', 'Other', '--role', 'monitor', '--json'], asAdmin);
    expect(JSON.parse(reuse.stdout).error.code).toBe('IDENTITY.USERNAME_TAKEN');
    expect((await run(['--as', 'ada', 'users', 'reactivate', 'ivan'], asAdmin)).status).toBe(0);

    const types = (await identityEvents()).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['UserCreated', 'UserRoleChanged', 'UserDeactivated', 'UserReactivated', 'LoginSucceeded']));
    const deactivated = (await identityEvents()).find((e) => e.type === 'UserDeactivated')!;
    expect(deactivated.metadata).toMatchObject({ reason: 'left the site', source: 'cli', actor: { username: 'ada' } });
  });

  it('refuses a wrong admin password (AUTH.INVALID_CREDENTIALS), a short new password and a non-admin actor', async () => {
    await run(['users', 'create-admin', '--username', 'ada', '--full-name', 'Ada Admin'], { TRIAL_LEDGER_PASSWORD: ADMIN_PASSWORD });
    const wrong = await run(['--as', 'ada', 'users', 'list', '--json'], { TRIAL_LEDGER_PASSWORD: 'not the passphrase' });
    expect(JSON.parse(wrong.stdout).error.code).toBe('AUTH.INVALID_CREDENTIALS');
    const short = await run(['--as', 'ada', 'users', 'add', '--username', 'ivan', '--full-name', 'Ivan', '--role', 'investigator', '--json'], {
      TRIAL_LEDGER_PASSWORD: ADMIN_PASSWORD, TRIAL_LEDGER_NEW_PASSWORD: 'short',
    });
    expect(JSON.parse(short.stdout).error.code).toBe('PASSWORD.TOO_SHORT');
    await run(['--as', 'ada', 'users', 'add', '--username', 'ivan', '--full-name', 'Ivan', '--role', 'investigator'], { TRIAL_LEDGER_PASSWORD: ADMIN_PASSWORD, TRIAL_LEDGER_NEW_PASSWORD: NEW_PASSWORD });
    // The administrator's choice is temporary: until ivan chooses his own, he can do nothing else.
    const temporary = await run(['--as', 'ivan', 'users', 'deactivate', 'ada', '--json'], { TRIAL_LEDGER_PASSWORD: NEW_PASSWORD });
    expect(temporary.status).not.toBe(0);
    expect(JSON.parse(temporary.stdout).error.code).toBe('AUTH.PASSWORD_CHANGE_REQUIRED');
    const chosen = await run(['--as', 'ivan', 'users', 'change-password'], { TRIAL_LEDGER_PASSWORD: NEW_PASSWORD, TRIAL_LEDGER_NEW_PASSWORD: 'my own lantern passphrase' });
    expect(chosen.status).toBe(0);
    const notAdmin = await run(['--as', 'ivan', 'users', 'deactivate', 'ada', '--json'], { TRIAL_LEDGER_PASSWORD: 'my own lantern passphrase' });
    expect(JSON.parse(notAdmin.stdout).error.code).toBe('AUTH.ROLE_NOT_ALLOWED');
    expect(notAdmin.stderr).toMatch(/\[security\] authorization refused: ivan/);
  });

  it('changes a password with the current one; the old one stops working and cannot be reused', async () => {
    await run(['users', 'create-admin', '--username', 'ada', '--full-name', 'Ada Admin'], { TRIAL_LEDGER_PASSWORD: ADMIN_PASSWORD });
    const changed = await run(['--as', 'ada', 'users', 'change-password'], { TRIAL_LEDGER_PASSWORD: ADMIN_PASSWORD, TRIAL_LEDGER_NEW_PASSWORD: 'a brand new admin phrase' });
    expect(changed.status).toBe(0);
    const old = await run(['--as', 'ada', 'users', 'list', '--json'], { TRIAL_LEDGER_PASSWORD: ADMIN_PASSWORD });
    expect(JSON.parse(old.stdout).error.code).toBe('AUTH.INVALID_CREDENTIALS');
    const back = await run(['--as', 'ada', 'users', 'change-password', '--json'], { TRIAL_LEDGER_PASSWORD: 'a brand new admin phrase', TRIAL_LEDGER_NEW_PASSWORD: ADMIN_PASSWORD });
    expect(JSON.parse(back.stdout).error.code).toBe('PASSWORD.REUSED');
  });
});
