import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { cli, PASSWORD, seedUsers, tempDir } from './cli-harness';

/**
 * A CLI command that writes, run while another process holds the SQLite ledger's write lock — `serve`
 * in the middle of a write, an import, a `sqlite3` shell left inside a transaction — used to wait 10 s
 * for it per append (the sign-in's event, then the command's: 12–22 s with the start) before it failed
 * or went on. Now it tries for a short while, then refuses promptly with STORE.LOCKED saying what to do,
 * having written nothing; a lock freed within that time is simply waited for.
 */
describe('CLI: a write while another process holds the SQLite write lock', () => {
  const dir = tempDir();
  const db = join(dir.path, 'ledger.sqlite');
  const store = `sqlite:${db}`;
  const env = { TRIAL_LEDGER_PASSWORD: PASSWORD, TRIAL_LEDGER_KEY_DIR: dir.keyDir };
  const head = async (file = db): Promise<number> => {
    const s = new SqliteEventStore(file);
    try {
      return (await s.head()).position;
    } finally {
      await s.close();
    }
  };
  /** Another connection holding the write lock (BEGIN IMMEDIATE) for `ms`, as a process in the middle of a write does. */
  const holdWriteLock = (ms: number, file = db): { released: Promise<void>; release(): void } => {
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      const timer = setTimeout(() => release(), ms);
      release = () => {
        clearTimeout(timer);
        if (holder.open) {
          holder.exec('ROLLBACK');
          holder.close();
        }
        resolve();
      };
    });
    return { released, release };
  };

  beforeAll(async () => {
    await seedUsers(store);
  });
  afterAll(() => dir.remove());

  it('given the lock held throughout, when `study register` runs, then it is refused within seconds as STORE.LOCKED, saying what to do, and nothing is written', async () => {
    const before = await head();
    const lock = holdWriteLock(30_000);
    const started = Date.now();
    let run;
    try {
      run = await cli(['--store', store, 'study', 'register', '--as', 'admin'], env);
    } finally {
      lock.release();
    }
    const took = Date.now() - started;
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[STORE.LOCKED]');
    expect(run.stderr).toMatch(/another process is writing the ledger .*try again in a moment/i);
    expect(took).toBeLessThan(6_000);
    expect(await head()).toBe(before);
  });

  it('given the lock freed after a moment, when `study register` runs, then it waits for it and records the study', async () => {
    const before = await head();
    const lock = holdWriteLock(700);
    const run = await cli(['--store', store, 'study', 'register', '--as', 'admin'], env);
    await lock.released;
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(await head()).toBeGreaterThan(before);
  });
  it('given the lock on the target held throughout, when `migrate` copies into it, then it is refused within seconds as STORE.LOCKED, saying to run it again, and nothing is copied', async () => {
    const target = join(dir.path, 'target.sqlite');
    expect(await head(target)).toBe(0);
    const lock = holdWriteLock(30_000, target);
    const started = Date.now();
    let run;
    try {
      run = await cli(['--store', store, 'migrate', '--to', `sqlite:${target}`], env);
    } finally {
      lock.release();
    }
    const took = Date.now() - started;
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[STORE.LOCKED]');
    expect(run.stderr).toMatch(/another process is writing .*target\.sqlite.*run migrate again/i);
    expect(took).toBeLessThan(6_000);
    expect(await head(target)).toBe(0);
  });

  it('given an earlier demo\'s file whose write lock another process holds, when `demo --fresh` runs, then it is refused as STORE.LOCKED within seconds and the file is not deleted', async () => {
    const earlier = join(dir.path, 'demo.sqlite');
    expect(await head(earlier)).toBe(0);
    const inode = statSync(earlier).ino;
    const lock = holdWriteLock(30_000, earlier);
    const started = Date.now();
    let run;
    try {
      run = await cli(['--store', `sqlite:${earlier}`, 'demo', '--fresh'], { ...env, TRIAL_LEDGER_DEMO_PASSWORD: PASSWORD });
    } finally {
      lock.release();
    }
    const took = Date.now() - started;
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[STORE.LOCKED]');
    expect(run.stderr).toMatch(/another process is writing .*demo\.sqlite/i);
    expect(took).toBeLessThan(6_000);
    expect(statSync(earlier).ino).toBe(inode);
  });
});

/**
 * An idle `serve` holds no write lock, but it has the ledger open (its connection, its WAL and shared memory):
 * `demo --fresh` used to delete the file under it, and the server went on answering from the deleted file. A
 * file another process has open — an idle server, a `sqlite3` shell reading it — is not deleted either.
 */
describe('CLI: demo --fresh on an earlier demo another process has open', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('given another process with the file open and idle (no write lock), when `demo --fresh` runs, then it is refused as STORE.LOCKED and the file is not deleted', async () => {
    const earlier = join(dir.path, 'demo.sqlite');
    // An empty ledger is what a demo begins (as above); --fresh would replace it.
    await new SqliteEventStore(earlier).close();
    const inode = statSync(earlier).ino;
    // A reader in another process, as an idle server is: its connection open, no transaction.
    const reader = spawn(process.execPath, ['-e', `const D=require('better-sqlite3');const db=new D(${JSON.stringify(earlier)});db.prepare('SELECT count(*) FROM sqlite_master').get();console.log('open');setTimeout(()=>{},60000);`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve) => reader.stdout.once('data', () => resolve()));
      const run = await cli(['--store', `sqlite:${earlier}`, 'demo', '--fresh', '--today', '2026-03-01'], { TRIAL_LEDGER_KEY_DIR: dir.keyDir });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('[STORE.LOCKED]');
      expect(run.stderr).toMatch(/has .*demo\.sqlite open.*stop it/i);
      expect(statSync(earlier).ino).toBe(inode);
    } finally {
      reader.kill('SIGKILL');
    }
  });
});
