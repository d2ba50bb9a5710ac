import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ACCOUNT_POLICY_STREAM_ID } from '@trial-ledger/domain';
import { openEventStore, verifyStore, type StoredEvent } from '@trial-ledger/event-store';
import { hashToken } from '@trial-ledger/identity';
import { seedUsers } from '../cli/cli-harness';
import { PASSWORD, startServe, type ServeProcess } from '../reliability/support/ledger-process';

const login = async (url: string, username: string): Promise<string> => {
  const response = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
};

const me = async (url: string, token: string): Promise<{ status: number; code?: string }> => {
  const response = await fetch(`${url}/api/v1/users`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: response.status, code: ((await response.json()) as { code?: string }).code };
};

const policyEvents = async (storeUrl: string): Promise<StoredEvent[]> => {
  const store = await openEventStore(storeUrl);
  try {
    // The policy events are links of the one chain like any other: the ledger still verifies
    expect((await verifyStore(store)).ok).toBe(true);
    return await store.readStream(ACCOUNT_POLICY_STREAM_ID);
  } finally {
    await store.close();
  }
};

/** `serve` on a SQLite ledger, stopped and started again as a deployment does. */
describe('sessions and the account policy across a restart of serve (SQLite)', () => {
  let dir: string;
  let storeUrl: string;
  let server: ServeProcess | null = null;

  const restart = async (env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> => {
    if (server) {
      server.kill('SIGTERM');
      expect((await server.exited).code).toBe(0);
    }
    server = await startServe(storeUrl, [], env);
    return server;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trial-ledger-sessions-'));
    storeUrl = `sqlite:${join(dir, 'ledger.sqlite')}`;
    await seedUsers(storeUrl);
  });

  afterAll(async () => {
    server?.kill('SIGTERM');
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}-other-keys`, { recursive: true, force: true });
  });

  it('a session survives the restart; a revoked one stays revoked; the file beside the ledger holds only token hashes', async () => {
    let { url } = await restart();
    const kept = await login(url, 'admin');
    const loggedOut = await login(url, 'admin');
    expect((await fetch(`${url}/api/v1/auth/logout`, { method: 'POST', headers: { Authorization: `Bearer ${loggedOut}` } })).status).toBe(204);
    ({ url } = await restart());
    expect(await me(url, kept)).toEqual({ status: 200, code: undefined });
    expect(await me(url, loggedOut)).toEqual({ status: 401, code: 'AUTH.TOKEN_INVALID' });
    const file = readFileSync(join(dir, 'ledger.sqlite.sessions')).toString('latin1') + readFileSync(join(dir, 'ledger.sqlite.sessions-wal'), { flag: 'a+' }).toString('latin1');
    expect(file).not.toContain(kept);
    expect(file).not.toContain(loggedOut);
  }, 60_000);

  it('a row of the sessions file edited to name the administrator refuses the token, before and after a restart; the seal key is in the key directory, 0600', async () => {
    let { url } = await restart();
    const token = await login(url, 'monitor');
    const admin = await login(url, 'admin');
    const adminId = await (async () => {
      const db = new Database(join(dir, 'ledger.sqlite.sessions'), { readonly: true });
      try {
        return (db.prepare('SELECT user_id FROM sessions WHERE token_hash = ?').get(hashToken(admin)) as { user_id: string }).user_id;
      } finally {
        db.close();
      }
    })();
    const insider = new Database(join(dir, 'ledger.sqlite.sessions'));
    try {
      expect(insider.prepare('UPDATE sessions SET user_id = ? WHERE token_hash = ?').run(adminId, hashToken(token)).changes).toBe(1);
    } finally {
      insider.close();
    }
    expect(await me(url, token)).toEqual({ status: 401, code: 'AUTH.TOKEN_INVALID' });
    ({ url } = await restart());
    expect(await me(url, token)).toEqual({ status: 401, code: 'AUTH.TOKEN_INVALID' });
    expect(await me(url, admin)).toEqual({ status: 200, code: undefined });
    const keyFile = join(process.env.TRIAL_LEDGER_KEY_DIR as string, 'ledger.sessions-seal.key');
    for (const file of [keyFile, join(dir, 'ledger.sqlite.sessions'), join(dir, 'ledger.sqlite.sessions-wal')]) expect([file, statSync(file).mode & 0o777]).toEqual([file, 0o600]);
  }, 60_000);

  it('records the account policy at the first start, nothing at a start with the same one, one change when it differs', async () => {
    // The first start (previous test) recorded the default policy.
    const first = await policyEvents(storeUrl);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ type: 'AccountPolicyChanged', data: { before: null, after: { lockoutMinutes: 30, maxFailedAttempts: 5 } } });
    expect(first[0].metadata).toMatchObject({ actor: { userId: 'system' }, source: 'system' });
    await restart();
    expect(await policyEvents(storeUrl)).toHaveLength(1);
    await restart({ TRIAL_LEDGER_LOCKOUT_MINUTES: '45', TRIAL_LEDGER_PASSWORD_MIN_LENGTH: '14' });
    const after = await policyEvents(storeUrl);
    expect(after).toHaveLength(2);
    expect(after[1].data).toMatchObject({
      before: { lockoutMinutes: 30, passwordMinLength: 12 },
      after: { lockoutMinutes: 45, passwordMinLength: 14, maxFailedAttempts: 5 },
      changed: ['passwordMinLength', 'lockoutMinutes'],
    });
    await restart({ TRIAL_LEDGER_LOCKOUT_MINUTES: '45', TRIAL_LEDGER_PASSWORD_MIN_LENGTH: '14' });
    expect(await policyEvents(storeUrl)).toHaveLength(2);
  }, 120_000);

  it('a symlink at the seal key\'s path stops the start (SESSION_KEY.UNSAFE) before anything is recorded, and is not written through', async () => {
    server?.kill('SIGTERM');
    await server?.exited;
    server = null;
    // Beside the store's directory: a key directory inside it is refused first (LEDGER_KEY.INSIDE_STORE_DIR).
    const keyDir = `${dir}-other-keys`;
    mkdirSync(keyDir, { mode: 0o700 });
    const target = join(dir, 'planted');
    writeFileSync(target, '');
    symlinkSync(target, join(keyDir, 'ledger.sessions-seal.key'));
    const before = await policyEvents(storeUrl);
    await expect(startServe(storeUrl, [], { TRIAL_LEDGER_KEY_DIR: keyDir, TRIAL_LEDGER_LOCKOUT_MINUTES: '50' })).rejects.toThrow(/SESSION_KEY\.UNSAFE/);
    expect(readFileSync(target, 'utf8')).toBe('');
    // The changed policy was not recorded either: the start stopped first
    expect(await policyEvents(storeUrl)).toHaveLength(before.length);
  }, 60_000);
});
