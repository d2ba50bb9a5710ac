import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SessionRegistry } from '../session-registry';
import { SqliteSessionStore } from './sqlite-session-store';

const MINUTE = 60_000;
const LIMITS = { inactivityMs: 15 * MINUTE, absoluteMs: 12 * 60 * MINUTE };
const T0 = Date.parse('2026-03-02T09:00:00.000Z');

/**
 * An insider who can write the sessions file beside the ledger, and holds a token of their own, edits
 * rows with plain SQL: the server must not take a row's user, session or start on trust.
 */
describe('sealed sessions: rows edited in the sessions file are not trusted', () => {
  let dir: string;
  let file: string;
  let registry: SessionRegistry;
  let insider: Database.Database;
  const sealKey = randomBytes(32);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'trial-ledger-session-seal-'));
    file = join(dir, 'ledger.sqlite.sessions');
    registry = new SessionRegistry(LIMITS, new SqliteSessionStore(file), sealKey);
    insider = new Database(file);
  });
  afterEach(async () => {
    insider.close();
    await registry.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a row changed to name another user (the administrator) refuses the token instead of acting as that user", async () => {
    const mine = await registry.open('user-reader', T0);
    await registry.open('user-admin', T0);
    expect(insider.prepare("UPDATE sessions SET user_id = 'user-admin' WHERE user_id = 'user-reader'").run().changes).toBe(1);
    expect(await registry.touch(mine.token, T0 + MINUTE)).toEqual({ status: 'unknown' });
    expect(await registry.peek(mine.token)).toBeNull();
  });

  it('a token already used (its seal checked once) is refused after its row is changed to name another user, and another token\'s checked seal does not pass for it', async () => {
    const mine = await registry.open('user-reader', T0);
    const admin = await registry.open('user-admin', T0);
    expect((await registry.touch(mine.token, T0 + 1)).status).toBe('active');
    expect((await registry.touch(admin.token, T0 + 1)).status).toBe('active');
    const [secret] = mine.token.split('.');
    const [, adminSeal] = admin.token.split('.');
    expect((await registry.touch(`${secret}.${adminSeal}`, T0 + 2)).status).toBe('unknown');
    insider.prepare("UPDATE sessions SET user_id = 'user-admin' WHERE user_id = 'user-reader'").run();
    expect(await registry.touch(mine.token, T0 + MINUTE)).toEqual({ status: 'unknown' });
    insider.prepare("UPDATE sessions SET user_id = 'user-reader' WHERE session_id = ?").run(mine.session.sessionId);
    expect((await registry.touch(mine.token, T0 + MINUTE)).status).toBe('active');
  });

  it("a row given another session's id and user, or a later start (past a password change), refuses the token", async () => {
    const mine = await registry.open('user-reader', T0);
    const admin = await registry.open('user-admin', T0 + 1);
    insider.prepare('UPDATE sessions SET session_id = ?, user_id = ?, created_at_ms = ? WHERE session_id = ?').run(admin.session.sessionId, 'user-admin', T0 + 1, mine.session.sessionId);
    expect((await registry.touch(mine.token, T0 + MINUTE)).status).toBe('unknown');
    const other = await registry.open('user-reader', T0);
    insider.prepare('UPDATE sessions SET created_at_ms = ? WHERE session_id = ?').run(T0 + 5 * MINUTE, other.session.sessionId);
    expect((await registry.touch(other.token, T0 + 6 * MINUTE)).status).toBe('unknown');
    // The administrator's own token is untouched by all this
    expect((await registry.touch(admin.token, T0 + MINUTE)).status).toBe('active');
  });

  it('a token without its seal, with a seal of another key, or with another token\'s seal is refused', async () => {
    const a = await registry.open('user-1', T0);
    const b = await registry.open('user-1', T0);
    const [secretA, sealA] = a.token.split('.');
    const [, sealB] = b.token.split('.');
    expect((await registry.touch(secretA, T0 + 1)).status).toBe('unknown');
    expect((await registry.touch(`${secretA}.${sealB}`, T0 + 1)).status).toBe('unknown');
    const elsewhere = new SessionRegistry(LIMITS, registry.store, randomBytes(32));
    expect((await elsewhere.touch(a.token, T0 + 1)).status).toBe('unknown');
    expect((await registry.touch(`${secretA}.${sealA}`, T0 + 1)).status).toBe('active');
  });
});

describe('the sessions file beside the ledger is never a symlink', () => {
  it.each(['', '-wal', '-shm'])('a symlink at LEDGER.sqlite.sessions%s is refused, and nothing is written where it points', (suffix) => {
    const dir = mkdtempSync(join(tmpdir(), 'trial-ledger-session-link-'));
    try {
      const file = join(dir, 'ledger.sqlite.sessions');
      const target = join(dir, 'elsewhere');
      writeFileSync(target, '');
      symlinkSync(target, `${file}${suffix}`);
      expect(() => new SqliteSessionStore(file)).toThrow(expect.objectContaining({ code: 'SESSIONS.FILE_UNSAFE' }));
      expect(existsSync(`${target}-wal`)).toBe(false);
      expect(suffix === '' ? existsSync(`${file}-wal`) : existsSync(file)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the sessions file is 0600 whatever the umask', () => {
  it('is created 0600, and so are its WAL and shared-memory files, under a umask of 022', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trial-ledger-session-mode-'));
    const previous = process.umask(0o022);
    try {
      const file = join(dir, 'ledger.sqlite.sessions');
      const registry = new SessionRegistry(LIMITS, new SqliteSessionStore(file));
      await registry.open('user-1', T0);
      for (const path of [file, `${file}-wal`, `${file}-shm`]) expect([path, statSync(path).mode & 0o777]).toEqual([path, 0o600]);
      await registry.store.close();
    } finally {
      process.umask(previous);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
