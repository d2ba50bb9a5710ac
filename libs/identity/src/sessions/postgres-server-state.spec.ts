import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { PostgresEventStore } from '@trial-ledger/event-store';
import { startPostgresTestServer, type PostgresTestServer } from '../../../event-store/src/testing/postgres-test-server';
import { SessionRegistry, hashToken } from '../session-registry';
import { PostgresRateLimits } from './postgres-rate-limits';
import { prepareServerState } from './postgres-server-state';
import { PostgresSessionStore } from './postgres-session-store';

const LIMITS = { inactivityMs: 15 * 60_000, absoluteMs: 12 * 60 * 60_000 };

let server: PostgresTestServer;
const opened: PostgresEventStore[] = [];

const open = async (url: string): Promise<PostgresEventStore> => {
  const store = await PostgresEventStore.connect(url);
  opened.push(store);
  return store;
};

beforeAll(async () => {
  server = await startPostgresTestServer();
}, 120_000);

afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await server?.stop();
});

describe('server state in the ledger database (PostgreSQL)', () => {
  it('two servers share sessions: one opens, the other finds it on the database clock, and a racing end is won once', async () => {
    const url = await server.createDatabase();
    const [a, b] = [await open(url), await open(url)];
    const sealKey = randomBytes(32);
    const onA = new SessionRegistry(LIMITS, new PostgresSessionStore(a.serverState!), sealKey);
    const onB = new SessionRegistry(LIMITS, new PostgresSessionStore(b.serverState!), sealKey);
    const { token, session } = await onA.open('user-1', 0);
    // The caller's clock (here: 0, far in the past) is not used: times are the database's
    expect(Math.abs(session.createdAtMs - Date.now())).toBeLessThan(60_000);
    expect((await onB.touch(token, 0)).status).toBe('active');
    const ends = await Promise.all([onA.end(token, 'logged-out', 0), onB.end(token, 'logged-out', 0)]);
    expect(ends.filter((e) => e !== null)).toHaveLength(1);
    expect(await onA.touch(token, 0)).toMatchObject({ status: 'ended', why: 'logged-out' });
  });

  it('concurrent touches of one session leave it alive and never move its last use back', async () => {
    const url = await server.createDatabase();
    const store = new PostgresSessionStore((await open(url)).serverState!);
    const registry = new SessionRegistry(LIMITS, store);
    const { token } = await registry.open('user-1', 0);
    await Promise.all(Array.from({ length: 20 }, () => store.touch(hashToken(token))));
    const found = await store.find(hashToken(token));
    expect(found?.session.lastSeenAtMs).toBeGreaterThanOrEqual(found!.session.createdAtMs);
    expect(found!.session.lastSeenAtMs).toBeLessThanOrEqual(found!.storeNowMs!);
  });

  it('refuses to store anything but a SHA-256 hex as the token key', async () => {
    const url = await server.createDatabase();
    const store = new PostgresSessionStore((await open(url)).serverState!);
    await expect(store.insert({ tokenHash: 'a-bearer-token-in-clear', sessionId: 's', userId: 'u', createdAtMs: 0 })).rejects.toThrow();
  });

  it('counts a rate limit atomically: of 30 concurrent attempts with a limit of 10, exactly 10 pass', async () => {
    const url = await server.createDatabase();
    const [a, b] = [await open(url), await open(url)];
    const limits = [new PostgresRateLimits(a.serverState!), new PostgresRateLimits(b.serverState!)];
    const counts = await Promise.all(Array.from({ length: 30 }, (_, i) => limits[i % 2].hit('bucket', 60_000, 10, 60_000)));
    expect(counts.filter((c) => c.blockedUntilMs <= c.nowMs)).toHaveLength(10);
    const blocked = counts.find((c) => c.blockedUntilMs > c.nowMs)!;
    expect(blocked.blockedUntilMs - blocked.nowMs).toBeGreaterThan(50_000);
    // Another bucket is not affected
    expect((await limits[0].hit('other', 60_000, 10, 60_000)).hits).toBe(1);
  });

  it('a role set up with grant-append-only-role.sql uses the shared tables but cannot drop or alter them', async () => {
    const url = await server.createDatabase();
    await prepareServerState(await open(url));
    const role = `ledger_app_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    const script = readFileSync(join(__dirname, '../../../event-store/src/postgres/grant-append-only-role.sql'), 'utf8');
    const owner = new Client({ connectionString: url });
    await owner.connect();
    try {
      await owner.query(`CREATE ROLE ${owner.escapeIdentifier(role)} LOGIN PASSWORD '${password}'`);
      await owner.query(script.replaceAll(':"app_role"', owner.escapeIdentifier(role)));
    } finally {
      await owner.end();
    }
    const appUrl = new URL(url);
    appUrl.username = role;
    appUrl.password = password;
    const app = await open(appUrl.toString());
    const registry = new SessionRegistry(LIMITS, new PostgresSessionStore(app.serverState!));
    const { token } = await registry.open('user-1', 0);
    expect((await registry.touch(token, 0)).status).toBe('active');
    expect(await registry.endUserSessions('user-1', 'account-locked', 0)).toBe(1);
    expect((await new PostgresRateLimits(app.serverState!).hit('b', 1000, 1, 1000)).hits).toBe(1);
    await expect(app.serverState!.query('DROP TABLE auth_sessions')).rejects.toThrow();
    await expect(app.serverState!.query('ALTER TABLE rate_limits ADD COLUMN x int')).rejects.toThrow();
  });
});
