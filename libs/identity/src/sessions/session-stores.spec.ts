import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionRegistry, hashToken } from '../session-registry';
import { MemorySessionStore, type SessionStore } from './session-store';
import { SqliteSessionStore } from './sqlite-session-store';

const MINUTE = 60_000;
const LIMITS = { inactivityMs: 15 * MINUTE, absoluteMs: 12 * 60 * MINUTE };
const T0 = Date.parse('2026-03-02T09:00:00.000Z');

/** A store that counts the writes made through it, to show what a request costs. */
const counting = (inner: SessionStore): SessionStore & { writes: number; reads: number } => {
  const wrapped = {
    writes: 0,
    reads: 0,
    description: inner.description,
    insert: (s: Parameters<SessionStore['insert']>[0]) => (wrapped.writes++, inner.insert(s)),
    find: (h: string) => (wrapped.reads++, inner.find(h)),
    touch: (h: string, at: number | null) => (wrapped.writes++, inner.touch(h, at)),
    end: (...args: Parameters<SessionStore['end']>) => (wrapped.writes++, inner.end(...args)),
    endUser: (...args: Parameters<SessionStore['endUser']>) => (wrapped.writes++, inner.endUser(...args)),
    purge: (...args: Parameters<SessionStore['purge']>) => (wrapped.writes++, inner.purge(...args)),
    close: () => inner.close(),
  };
  return wrapped;
};

describe.each([
  ['memory', (): SessionStore => new MemorySessionStore()],
  ['SQLite file', (dir: string): SessionStore => new SqliteSessionStore(join(dir, 'ledger.sqlite.sessions'))],
])('session store: %s', (_name, open) => {
  let dir: string;
  let store: SessionStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'trial-ledger-session-store-'));
    store = open(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the token hash, never the token, and answers the session by it', async () => {
    const registry = new SessionRegistry(LIMITS, store);
    const { token, session } = await registry.open('user-1', T0);
    expect(session.tokenHash).toBe(hashToken(token));
    expect(session.tokenHash).not.toContain(token);
    expect((await store.find(hashToken(token)))?.session).toMatchObject({ userId: 'user-1', createdAtMs: T0, endedBy: null });
    // The hash itself, presented as a token, is nobody's token
    expect((await registry.touch(Buffer.from(session.tokenHash, 'hex').toString('base64url'), T0)).status).toBe('unknown');
  });

  it('writes the last use at most every touch interval: one read per request, a write only now and then', async () => {
    const spy = counting(store);
    const registry = new SessionRegistry(LIMITS, spy);
    const { token } = await registry.open('user-1', T0);
    const writesAfterLogin = spy.writes;
    for (let i = 1; i <= 10; i += 1) expect((await registry.touch(token, T0 + i * 1000)).status).toBe('active');
    expect(spy.reads).toBe(10);
    expect(spy.writes).toBe(writesAfterLogin);
    expect((await registry.touch(token, T0 + registry.touchEveryMs)).status).toBe('active');
    expect(spy.writes).toBe(writesAfterLogin + 1);
  });

  it('never moves the last use back (two servers touching the same session out of order)', async () => {
    const registry = new SessionRegistry(LIMITS, store);
    const { token } = await registry.open('user-1', T0);
    await store.touch(hashToken(token), T0 + 5 * MINUTE);
    await store.touch(hashToken(token), T0 + 2 * MINUTE);
    expect((await store.find(hashToken(token)))?.session.lastSeenAtMs).toBe(T0 + 5 * MINUTE);
  });

  it('ends a session once: the first end answers it, a racing second one gets nothing, and the reason stays', async () => {
    const registry = new SessionRegistry(LIMITS, store);
    const { token } = await registry.open('user-1', T0);
    const [first, second] = await Promise.all([registry.end(token, 'logged-out', T0 + 1), registry.end(token, 'logged-out', T0 + 2)]);
    expect([first, second].filter((s) => s !== null)).toHaveLength(1);
    expect(await registry.touch(token, T0 + 3)).toMatchObject({ status: 'ended', why: 'logged-out' });
    // An ended session is not touched back to life
    await store.touch(hashToken(token), T0 + MINUTE);
    expect((await store.find(hashToken(token)))?.session).toMatchObject({ endedBy: 'logged-out', lastSeenAtMs: T0 });
  });

  it("ends every open session of one user, and no one else's; an already ended one keeps its first reason", async () => {
    const registry = new SessionRegistry(LIMITS, store);
    const a = await registry.open('user-1', T0);
    const b = await registry.open('user-1', T0);
    const other = await registry.open('user-2', T0);
    await registry.end(a.token, 'logged-out', T0 + 1);
    expect(await registry.endUserSessions('user-1', 'account-locked', T0 + 2)).toBe(1);
    expect(await registry.touch(a.token, T0 + 3)).toMatchObject({ status: 'ended', why: 'logged-out' });
    expect(await registry.touch(b.token, T0 + 3)).toMatchObject({ status: 'ended', why: 'account-locked' });
    expect((await registry.touch(other.token, T0 + 3)).status).toBe('active');
  });

  it('expires after inactivity and at the lifetime; forgets sessions past their lifetime on a later login', async () => {
    const registry = new SessionRegistry(LIMITS, store);
    const idle = await registry.open('user-1', T0);
    expect(await registry.touch(idle.token, T0 + 15 * MINUTE)).toMatchObject({ status: 'expired', why: 'inactivity' });
    const busy = await registry.open('user-1', T0);
    for (let t = 10; t < 12 * 60; t += 10) await registry.touch(busy.token, T0 + t * MINUTE);
    expect(await registry.touch(busy.token, T0 + 12 * 60 * MINUTE)).toMatchObject({ status: 'expired', why: 'lifetime' });
    await registry.open('user-1', T0 + 13 * 60 * MINUTE);
    expect(await registry.touch(busy.token, T0 + 13 * 60 * MINUTE)).toEqual({ status: 'unknown' });
  });
});

describe('session store: SQLite file across a restart', () => {
  it('a new process on the same file finds the sessions and their revocations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trial-ledger-session-restart-'));
    try {
      const file = join(dir, 'ledger.sqlite.sessions');
      const sealKey = randomBytes(32);
      const before = new SessionRegistry(LIMITS, new SqliteSessionStore(file), sealKey);
      const kept = await before.open('user-1', T0);
      const revoked = await before.open('user-1', T0);
      await before.end(revoked.token, 'password-changed', T0 + 1);
      await before.store.close();
      const after = new SessionRegistry(LIMITS, new SqliteSessionStore(file), sealKey);
      expect((await after.touch(kept.token, T0 + MINUTE)).status).toBe('active');
      expect(await after.touch(revoked.token, T0 + MINUTE)).toMatchObject({ status: 'ended', why: 'password-changed' });
      await after.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
