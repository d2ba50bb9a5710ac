import { closeSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StoreWriteError } from '../event-store.errors';

/** Device and inode: a file moved or copied over the ledger's path gets another inode. */
interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

const identityOf = (path: string): FileIdentity | null => {
  try {
    const stats = statSync(path);
    return { dev: stats.dev, ino: stats.ino };
  } catch {
    return null;
  }
};

/** How the guard reads the ledger: the head through the store's own connection, an event's hash through a fresh one. */
export interface GuardedLedger {
  ownHead(): { readonly position: number; readonly hash: string } | null;
  /** Hash of the first event, through the store's own connection. */
  ownFirstHash(): string | null;
  hashOnDisk(position: number): string | null;
}

const same = (a: FileIdentity | null, b: FileIdentity | null): boolean => a !== null && b !== null && a.dev === b.dev && a.ino === b.ino;

/**
 * What changes when anyone but this store's own transactions writes the database file: the header's
 * file change counter (offset 24, big-endian), the size and the modification time. Null if unreadable.
 * The header is read through `fd`, a descriptor the guard keeps open for the store's life: POSIX drops
 * every lock a process holds on a file when it closes any descriptor of it, so opening and closing the
 * file here would drop the store connection's SQLite locks, and another program's connection (a
 * `sqlite3` shell reading the ledger) would then take itself for the last one and delete the WAL.
 */
const fingerprintOf = (fd: number | null, path: string): string | null => {
  if (fd === null) return null;
  try {
    const bytes = Buffer.alloc(4);
    if (readSync(fd, bytes, 0, 4, 24) !== 4) return null;
    const stats = statSync(path, { bigint: true });
    return `${bytes.readUInt32BE(0)}:${stats.size}:${stats.mtimeNs}`;
  } catch {
    return null;
  }
};

const openForReading = (path: string): number | null => {
  try {
    return openSync(path, 'r');
  } catch {
    return null;
  }
};

/**
 * Notices that the SQLite ledger file under a running store is no longer the one it opened: a file
 * moved over its path (`mv`), the WAL deleted, or the file rewritten in place (`cp`). The open
 * connection would go on writing into the old inode or a WAL nobody will read again, and every
 * acknowledged command after that would be lost silently. So before each write transaction the
 * store calls `check()`: device and inode of the database and of its WAL must be the ones it saw,
 * and the header's file change counter, size and modification time the ones it saw after its own
 * last write. A change there may be another process's checkpoint, so the first and the last event
 * this store knows, read again through a fresh connection, decide. (A file copied in place while the
 * store's newest pages are all still in its WAL can pass that check: the fresh connection reads
 * those pages from the WAL. Whatever was checkpointed into the file is covered.) Once tripped, the guard refuses every write for good: only
 * a restart on a file someone has checked may write again.
 */
export class SqliteFileGuard {
  private database: FileIdentity | null;
  private wal: FileIdentity | null;
  private counter: string | null;
  private tripped: StoreWriteError | null = null;
  private lastOwn: { readonly position: number; readonly hash: string } | null;
  private first: string | null = null;
  /** Kept open until `close()`, after the store's connection closed (see `fingerprintOf`). */
  private fd: number | null;

  constructor(
    private readonly filename: string,
    private readonly ledger: GuardedLedger,
  ) {
    this.database = identityOf(filename);
    this.wal = identityOf(`${filename}-wal`);
    this.fd = openForReading(filename);
    this.counter = fingerprintOf(this.fd, filename);
    this.lastOwn = ledger.ownHead();
  }

  /** Throws `STORE.FILE_REPLACED` (503) if the file is not the one this store has been writing. */
  check(): void {
    if (this.tripped) throw this.tripped;
    const problem = this.findProblem();
    if (problem === null) return;
    this.tripped = new StoreWriteError(
      'STORE.FILE_REPLACED',
      `The ledger file ${this.filename} was replaced or its write-ahead log removed while the server ran (${problem}); every write is refused until the server is restarted on a checked file`,
    );
    throw this.tripped;
  }

  /** After a write of this store committed: the WAL may just have been created and a checkpoint may have moved the counter. */
  recordOwnWrite(): void {
    if (this.tripped) return;
    this.wal ??= identityOf(`${this.filename}-wal`);
    this.counter = fingerprintOf(this.fd, this.filename);
    this.lastOwn = this.ledger.ownHead();
  }

  /** Once the store's connection is closed (closing the descriptor earlier would drop its locks). */
  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }

  get isTripped(): boolean {
    return this.tripped !== null;
  }

  private sameLedger(): boolean {
    try {
      if (this.lastOwn === null) return true;
      this.first ??= this.ledger.ownFirstHash();
      return this.ledger.hashOnDisk(this.lastOwn.position) === this.lastOwn.hash && (this.first === null || this.ledger.hashOnDisk(1) === this.first);
    } catch {
      return false;
    }
  }

  private findProblem(): string | null {
    if (!same(this.database, identityOf(this.filename))) return 'the database file is another file now';
    if (this.wal !== null && !same(this.wal, identityOf(`${this.filename}-wal`))) return 'the -wal file was deleted or replaced';
    const counter = fingerprintOf(this.fd, this.filename);
    if (counter === this.counter) return null;
    if (counter !== null && this.sameLedger()) {
      this.counter = counter;
      return null;
    }
    return 'the database file was written by someone else and the first and last events this server knows are not in it';
  }
}

/** A guard for the ledger file: `head` reads through the store's own connection; the check after a changed counter opens a fresh one. */
export const guardSqliteFile = (
  filename: string,
  head: () => { readonly global_position: number; readonly hash: string } | null,
  firstHash: () => string | null,
): SqliteFileGuard =>
  new SqliteFileGuard(filename, {
    ownFirstHash: firstHash,
    ownHead: () => {
      const row = head();
      return row ? { position: row.global_position, hash: row.hash } : null;
    },
    hashOnDisk: (position) => {
      const fresh = new Database(filename, { readonly: true, fileMustExist: true });
      try {
        return fresh.prepare<[number], { hash: string }>('SELECT hash FROM events WHERE global_position = ?').get(position)?.hash ?? null;
      } finally {
        fresh.close();
      }
    },
  });
