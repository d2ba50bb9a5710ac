import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteSessionStore } from './sqlite-session-store';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const session = (n: number) => ({ tokenHash: `hash-${n}`, sessionId: `s-${n}`, userId: 'u-1', createdAtMs: T0 });

describe('SQLite session store: a write lock held by another process', () => {
  let dir: string;
  let store: SqliteSessionStore;
  let other: Database.Database;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trial-ledger-session-lock-'));
    const file = join(dir, 'ledger.sqlite.sessions');
    store = new SqliteSessionStore(file);
    await store.insert(session(1));
    other = new Database(file);
  });
  afterEach(async () => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given another connection holding BEGIN IMMEDIATE, when a session is written, then it is refused as STORE.LOCKED at once and a lookup still answers', async () => {
    other.exec('BEGIN IMMEDIATE');
    const started = performance.now();
    await expect(store.insert(session(2))).rejects.toMatchObject({ name: 'StoreWriteError', code: 'STORE.LOCKED' });
    await expect(store.end('hash-1', 'logged-out', T0 + 1)).rejects.toMatchObject({ code: 'STORE.LOCKED' });
    expect(performance.now() - started).toBeLessThan(1000);
    expect((await store.find('hash-1'))?.session.endedBy).toBeNull();
  }, 15_000);

  it('given another connection holding the lock, when a request touches its session, then it goes on at once with its last-seen time unmoved', async () => {
    other.exec('BEGIN IMMEDIATE');
    const started = performance.now();
    await store.touch('hash-1', T0 + 60_000);
    expect(performance.now() - started).toBeLessThan(1000);
    expect((await store.find('hash-1'))?.session.lastSeenAtMs).toBe(T0);
    other.exec('ROLLBACK');
    await store.touch('hash-1', T0 + 60_000);
    expect((await store.find('hash-1'))?.session.lastSeenAtMs).toBe(T0 + 60_000);
  }, 15_000);

  it('given another process holding the lock for a moment, when a user\'s sessions are ended (deactivation), then they are ended once it lets go, not skipped', async () => {
    const file = join(dir, 'ledger.sqlite.sessions');
    const holder = spawn(process.execPath, ['-e', `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(file)}); db.exec('BEGIN IMMEDIATE'); console.log('held'); setTimeout(() => { db.exec('ROLLBACK'); db.close(); }, 400);`], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    try {
      expect(await store.endUser('u-1', 'user-deactivated', T0 + 1)).toBe(1);
      expect((await store.find('hash-1'))?.session.endedBy).toBe('user-deactivated');
    } finally {
      await new Promise((resolve) => (holder.exitCode === null ? holder.once('exit', resolve) : resolve(null)));
    }
  }, 15_000);
});
