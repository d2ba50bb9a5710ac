import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { DEFAULT_IDENTITY_POLICY, recordConfiguredAccountPolicy } from '@trial-ledger/identity';
import { cli, tempDir } from '../cli/cli-harness';

/** `trial-ledger users history` (SPEC §5: user management is itself event-sourced and audited). */
describe('CLI: trial-ledger users history', () => {
  const ADMIN_PASSWORD = 'correct horse battery staple';
  const IVAN_PASSWORD = 'violet harbour lantern 41';
  const MONA_TEMPORARY = 'amber meadow compass 73';
  const MONA_PASSWORD = 'copper willow beacon 19';
  let dir: { path: string; remove(): void };
  let store: string;
  const run = (argv: string[], env: Record<string, string | undefined> = {}) =>
    cli(['--store', store, ...argv], { TRIAL_LEDGER_PASSWORD: undefined, TRIAL_LEDGER_NEW_PASSWORD: undefined, ...env });
  const asAdmin = { TRIAL_LEDGER_PASSWORD: ADMIN_PASSWORD };

  beforeAll(async () => {
    dir = tempDir();
    store = `sqlite:${join(dir.path, 'ledger.sqlite')}`;
    expect((await run(['users', 'create-admin', '--username', 'ada', '--full-name', 'Ada Admin'], asAdmin)).status).toBe(0);
    const add = (username: string, fullName: string, role: string, password: string) =>
      run(['--as', 'ada', 'users', 'add', '--username', username, '--full-name', fullName, '--role', role, '--reason', 'site initiation'], { ...asAdmin, TRIAL_LEDGER_NEW_PASSWORD: password });
    expect((await add('ivan', 'Dr Ivan Investigator', 'investigator', IVAN_PASSWORD)).status).toBe(0);
    expect((await add('mona', 'Mona Monitor', 'monitor', MONA_TEMPORARY)).status).toBe(0);
    // An administrator's password is temporary: mona chooses her own first.
    expect((await run(['--as', 'mona', 'users', 'change-password'], { TRIAL_LEDGER_PASSWORD: MONA_TEMPORARY, TRIAL_LEDGER_NEW_PASSWORD: MONA_PASSWORD })).status).toBe(0);
    // A server start records the account policy in its own stream, between user-management events.
    const ledger = new SqliteEventStore(join(dir.path, 'ledger.sqlite'));
    await recordConfiguredAccountPolicy(ledger, { ...DEFAULT_IDENTITY_POLICY, lockoutMinutes: 45 });
    await ledger.close();
    expect((await run(['--as', 'ada', 'users', 'set-role', 'ivan', 'coordinator', '--reason', 'sub-investigator left'], asAdmin)).status).toBe(0);
    expect((await run(['--as', 'ada', 'users', 'deactivate', 'ivan', '--reason', 'left the site'], asAdmin)).status).toBe(0);
  });
  afterAll(() => dir.remove());

  it('shows the administrator every user-management event in order, naming who did it, with no password hash', async () => {
    const result = await run(['--as', 'ada', 'users', 'history', '--json'], asAdmin);
    expect(result.status).toBe(0);
    const events = JSON.parse(result.stdout).events as Array<{ type: string; recordedBy: string; reason: string | null; data: Record<string, unknown> }>;
    const ivan = events.filter((e) => e.data.username === 'ivan');
    expect(ivan.map((e) => e.type)).toEqual(['UserCreated', 'UserRoleChanged', 'UserDeactivated']);
    expect(ivan[0]).toMatchObject({ recordedBy: 'Ada Admin (ada, admin)', reason: 'site initiation', data: { passwordHash: '[redacted]' } });
    expect(result.stdout).not.toMatch(/\$scrypt\$/);
    expect(result.stdout).not.toContain(IVAN_PASSWORD);

    const text = await run(['--as', 'ada', 'users', 'history'], asAdmin);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/UserRoleChanged by Ada Admin \(ada, admin\) via cli — .*from=investigator to=coordinator.*\(reason: sub-investigator left\)/);
    expect(text.stdout).toMatch(/UserCreated by Ada Admin \(ada, admin\) via cli — .*passwordHash=\[redacted\]/);
    expect(text.stdout).not.toMatch(/\$scrypt\$/);
  });

  it('includes the account-policy change (its own stream) in log order, in the JSON and the text history', async () => {
    const result = await run(['--as', 'ada', 'users', 'history', '--json'], asAdmin);
    expect(result.status).toBe(0);
    const events = JSON.parse(result.stdout).events as Array<{ streamId: string; streamVersion: number; globalPosition: number; type: string; data: Record<string, unknown> }>;
    expect(events.map((e) => e.globalPosition)).toEqual([...events.map((e) => e.globalPosition)].sort((a, b) => a - b));
    const policy = events.findIndex((e) => e.type === 'AccountPolicyChanged');
    expect(events[policy]).toMatchObject({ streamId: 'account-policy', streamVersion: 1, data: { before: null, after: { lockoutMinutes: 45 } } });
    expect(policy).toBeGreaterThan(events.findIndex((e) => e.type === 'PasswordChanged' && e.data.username === 'mona'));
    expect(policy).toBeLessThan(events.findIndex((e) => e.type === 'UserRoleChanged'));
    const text = (await run(['--as', 'ada', 'users', 'history'], asAdmin)).stdout.split('\n');
    const line = text.findIndex((l) => / AccountPolicyChanged by trial-ledger system \(system, admin\) via system — .*lockoutMinutes.*\(reason: account policy from the configuration at server start\)$/.test(l));
    expect(text[line]).toMatch(/^account-policy#1 /);
    expect(line).toBeLessThan(text.findIndex((l) => / UserRoleChanged /.test(l)));
    expect(text.filter((l) => / UserCreated /.test(l)).every((l) => /^identity#\d+ /.test(l))).toBe(true);
  });

  it('--user keeps the events about that user or recorded by them; an auditor may run it', async () => {
    const result = await run(['--as', 'mona', 'users', 'history', '--user', 'IVAN', '--json'], { TRIAL_LEDGER_PASSWORD: MONA_PASSWORD });
    expect(result.status).toBe(0);
    const events = JSON.parse(result.stdout).events as Array<{ type: string; data: Record<string, unknown> }>;
    expect(events.map((e) => e.type)).toEqual(['UserCreated', 'UserRoleChanged', 'UserDeactivated']);
    expect(result.stdout).not.toMatch(/\$scrypt\$/);
  });

  it('refuses a hostile --user with IDENTITY.USERNAME_INVALID (exit 2) before asking for a password', async () => {
    for (const name of ['<script>', "x' OR 1=1", '../ada', '']) {
      const result = await run(['--as', 'ada', 'users', 'history', '--user', name, '--json']);
      expect({ name, status: result.status, code: JSON.parse(result.stdout).error.code }).toEqual({ name, status: 2, code: 'IDENTITY.USERNAME_INVALID' });
    }
  });

  it('is refused to a coordinator with AUTH.ROLE_NOT_ALLOWED, the refusal recorded', async () => {
    const mona = { TRIAL_LEDGER_PASSWORD: MONA_PASSWORD };
    expect((await run(['--as', 'ada', 'users', 'reactivate', 'ivan', '--reason', 'back\n#99 forged UserCreated by Eve'], asAdmin)).status).toBe(0);
    // A line break in a reason is shown escaped: it cannot start a line of its own in the text history.
    const text = (await run(['--as', 'ada', 'users', 'history', '--user', 'ivan'], asAdmin)).stdout;
    expect(text.split('\n').filter((line) => line.startsWith('#99'))).toEqual([]);
    expect(text).toMatch(/UserReactivated by Ada Admin \(ada, admin\) via cli.*\(reason: back.*#99 forged/);
    // ivan's password was set by the administrator: he chooses his own first.
    expect((await run(['--as', 'ivan', 'users', 'change-password'], { TRIAL_LEDGER_PASSWORD: IVAN_PASSWORD, TRIAL_LEDGER_NEW_PASSWORD: 'granite quiet river 88' })).status).toBe(0);
    const refused = await run(['--as', 'ivan', 'users', 'history', '--json'], { TRIAL_LEDGER_PASSWORD: 'granite quiet river 88' });
    expect(refused.status).not.toBe(0);
    expect(JSON.parse(refused.stdout).error.code).toBe('AUTH.ROLE_NOT_ALLOWED');
    const after = JSON.parse((await run(['--as', 'mona', 'users', 'history', '--user', 'ivan', '--json'], mona)).stdout).events as Array<{ type: string; data: Record<string, unknown> }>;
    expect(after.at(-1)).toMatchObject({ type: 'AuthorizationRefused', data: { username: 'ivan', role: 'coordinator' } });
  });
});
