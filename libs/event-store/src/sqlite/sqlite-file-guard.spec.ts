import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readlinkSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreWriteError } from '../event-store.errors';
import { testEvent } from '../testing';
import { SqliteEventStore } from './sqlite-event-store';
import { mapSqliteWriteError } from './sqlite-write-errors';

const append = (store: SqliteEventStore, stream: string) => store.append({ writes: [{ streamId: stream, expectedVersion: 0, events: [testEvent('Counted', { stream })] }] });

const fault = async (work: Promise<unknown>): Promise<string> => {
  try {
    await work;
    return 'written';
  } catch (error) {
    return error instanceof StoreWriteError ? error.code : `other: ${String(error)}`;
  }
};

describe('SqliteFileGuard: a ledger file replaced under a running store', () => {
  let dir: string;
  const opened: SqliteEventStore[] = [];
  const open = (name = 'ledger.sqlite'): SqliteEventStore => {
    const store = new SqliteEventStore(join(dir, name));
    opened.push(store);
    return store;
  };
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ledger-guard-'))));
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given another ledger moved over the file (mv), every write is refused with STORE.FILE_REPLACED and readiness stays red', async () => {
    const store = open();
    await append(store, 'a');
    const other = open('other.sqlite');
    await append(other, 'x');
    renameSync(join(dir, 'other.sqlite'), join(dir, 'ledger.sqlite'));
    expect(await fault(append(store, 'b'))).toBe('STORE.FILE_REPLACED');
    expect(await fault(append(store, 'c'))).toBe('STORE.FILE_REPLACED');
    expect(await store.writeHealth()).toMatchObject({ writable: false, fault: 'STORE.FILE_REPLACED' });
    expect((await store.head()).position).toBe(1);
  });

  it('given the WAL deleted, writes are refused (they would go to a log nobody reads again)', async () => {
    const store = open();
    await append(store, 'a');
    unlinkSync(join(dir, 'ledger.sqlite-wal'));
    expect(await fault(append(store, 'b'))).toBe('STORE.FILE_REPLACED');
  });

  it('given another file copied over it in place (cp, same inode) after a checkpoint, writes are refused', async () => {
    const store = open();
    for (const s of ['a', 'b', 'c']) await append(store, s);
    store.database.pragma('wal_checkpoint(TRUNCATE)');
    const other = open('other.sqlite');
    for (const s of ['x', 'y']) await append(other, s);
    await other.close();
    copyFileSync(join(dir, 'other.sqlite'), join(dir, 'ledger.sqlite'));
    expect(await fault(append(store, 'd'))).toBe('STORE.FILE_REPLACED');
  });

  // POSIX drops every fcntl lock a process holds on a file when it closes any descriptor of that file,
  // so the guard must not open and close the ledger file while the store's connection holds its locks.
  it('closes no descriptor of the ledger file while the store is open (that would drop its SQLite locks)', async () => {
    if (!existsSync('/proc/self/fd')) return;
    const ledger = join(dir, 'ledger.sqlite');
    const closed: string[] = [];
    const fs = jest.requireActual<typeof import('node:fs')>('node:fs');
    const original = fs.closeSync;
    const spy = jest.spyOn(fs, 'closeSync').mockImplementation((fd: number) => {
      try {
        closed.push(readlinkSync(`/proc/self/fd/${fd}`));
      } catch {
        // not an open descriptor: the real closeSync reports it
      }
      original(fd);
    });
    try {
      const store = open();
      for (const s of ['a', 'b', 'c']) await append(store, s);
      expect(closed).not.toContain(ledger);
    } finally {
      spy.mockRestore();
    }
  });

  const sqliteShell = spawnSync('sqlite3', ['-version']).status === 0;
  (sqliteShell ? it : it.skip)('a sqlite3 shell reading the ledger beside the store does not delete its WAL, and writes go on', async () => {
    const store = open();
    await append(store, 'a');
    await append(store, 'b');
    expect(spawnSync('sqlite3', [join(dir, 'ledger.sqlite'), 'SELECT count(*) FROM events']).stdout.toString().trim()).toBe('2');
    expect(existsSync(join(dir, 'ledger.sqlite-wal'))).toBe(true);
    expect(await fault(append(store, 'c'))).toBe('written');
  });

  it('another store writing and checkpointing the same file (a second process) is not taken for a replacement', async () => {
    const first = open();
    const second = open();
    for (let i = 0; i < 30; i += 1) {
      await append(i % 2 === 0 ? first : second, `s-${i}`);
      if (i % 7 === 0) (i % 2 === 0 ? second : first).database.pragma('wal_checkpoint(TRUNCATE)');
    }
    expect((await first.head()).position).toBe(30);
    expect(await first.writeHealth()).toEqual({ writable: true });
  });
});

describe('SQLite write faults map to stable codes (real SQLite errors)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ledger-faults-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a full database (SQLITE_FULL, here from max_page_count) answers STORE.DISK_FULL and writes nothing; the next write after it goes through', async () => {
    const store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    try {
      const pages = store.database.pragma('page_count', { simple: true }) as number;
      store.database.pragma(`max_page_count = ${pages + 1}`);
      const big = 'x'.repeat(20_000);
      const refused = store.append({ writes: [{ streamId: 'big', expectedVersion: 0, events: [testEvent('Big', { big })] }] });
      expect(await fault(refused)).toBe('STORE.DISK_FULL');
      // (readiness follows the file system's free space, which this limit does not touch: see the loop-mount test)
      expect((await store.head()).position).toBe(0);
      store.database.pragma('max_page_count = 1073741823');
      await append(store, 'small');
      expect(await store.writeHealth()).toEqual({ writable: true });
    } finally {
      await store.close();
    }
  });

  it('a read-only connection (SQLITE_READONLY) maps to STORE.READ_ONLY; other errors pass through unchanged', () => {
    const file = join(dir, 'plain.sqlite');
    new Database(file).exec('CREATE TABLE t (x)').close();
    const readonly = new Database(file, { readonly: true });
    let caught: unknown;
    try {
      readonly.exec('INSERT INTO t VALUES (1)');
    } catch (error) {
      caught = error;
    } finally {
      readonly.close();
    }
    expect((mapSqliteWriteError(caught) as StoreWriteError).code).toBe('STORE.READ_ONLY');
    expect(mapSqliteWriteError(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' }))).toMatchObject({ code: 'STORE.IO_ERROR' });
    const constraint = Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_UNIQUE' });
    expect(mapSqliteWriteError(constraint)).toBe(constraint);
  });
});
