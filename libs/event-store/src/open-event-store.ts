import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { EventStore } from './event-store.port';
import { InvalidStoreUrlError, StoreWriteError } from './event-store.errors';
import { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite/sqlite-event-store';
import { PostgresEventStore } from './postgres/postgres-event-store';
import type * as KurrentDb from './kurrentdb/kurrentdb-event-store';
import type { StoreWarningListener } from './store-warning';

export const DEFAULT_STORE_URL = 'sqlite:./data/ledger.sqlite';

/**
 * Options of `openEventStore`: the SQLite ones, and where a store reports what it recovered from by itself.
 * `writeLockWaitMs` is also how long a PostgreSQL append waits for the append lock (its `appendLockTimeoutMs`).
 */
export type OpenEventStoreOptions = SqliteEventStoreOptions & { readonly onWarning?: StoreWarningListener };

/** A store factory for a URL scheme; PostgreSQL and KurrentDB adapters register themselves here. */
export type StoreFactory = (url: string, options: OpenEventStoreOptions) => Promise<EventStore>;

const factories = new Map<string, StoreFactory>();

export const registerStoreFactory = (schemes: readonly string[], factory: StoreFactory): void => {
  for (const scheme of schemes) factories.set(scheme, factory);
};

registerStoreFactory(['sqlite'], async (url, options) => {
  const file = sqlitePath(url);
  try {
    return new SqliteEventStore(file, options);
  } catch (error) {
    throw explainReadOnlyOpen(file, error);
  }
});

/**
 * A ledger file, or its directory, that cannot be written (a read-only mount, no write permission) is
 * `STORE.READ_ONLY` in words: SQLite says `SQLITE_READONLY`, or `SQLITE_CANTOPEN` when it cannot create the
 * `-wal` and `-shm` files beside it. Any other error passes unchanged.
 */
const explainReadOnlyOpen = (file: string, error: unknown): unknown =>
  file === ':memory:'
    ? error
    : explainUnwritableFile(file, error, `The SQLite ledger ${file} cannot be written: the file or its directory is read-only (a read-only mount or missing write permission; SQLite also creates ${file}-wal and -shm beside it)`);

/** Errors of the file system that say a file may not be written, whoever asks: no permission, an immutable file, a read-only mount. */
const DENIED = ['EROFS', 'EACCES', 'EPERM'];

/**
 * `STORE.READ_ONLY` for a file of the ledger's (the store, or a file beside it: sessions, read models) that could not be
 * opened for writing because it or its directory may not be written — SQLite's `SQLITE_READONLY`, its `SQLITE_CANTOPEN`
 * when the file or directory is not writable, or the file system's EROFS/EACCES/EPERM — with `what` (the file named)
 * and what to fix; any other error passes unchanged.
 */
export const explainUnwritableFile = (file: string, error: unknown, what = `${file} cannot be written: it or its directory is read-only`): unknown => {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || error instanceof StoreWriteError) return error;
  const unwritable = (path: string): boolean => {
    try {
      accessSync(path, constants.W_OK);
      return false;
    } catch (denied) {
      return DENIED.includes(String((denied as { code?: unknown }).code));
    }
  };
  const readOnly =
    DENIED.includes(code) || code.startsWith('SQLITE_READONLY') || (code === 'SQLITE_CANTOPEN' && (unwritable(dirname(resolve(file))) || (existsSync(file) && unwritable(file))));
  if (!readOnly) return error;
  const said = error instanceof Error ? error.message : code;
  return new StoreWriteError('STORE.READ_ONLY', `${what}. It says "${said}" (${code}). Nothing was written: make the file and its directory writable for this user (chattr -i, chmod, a read-write mount), then try again`, error);
};
// `writeLockWaitMs` (a CLI process's 2 s) is the append lock's wait on PostgreSQL too; without it, the store's own 10 s.
registerStoreFactory(['postgres', 'postgresql'], (url, options) =>
  PostgresEventStore.connect(url, { ...options, ...(options.writeLockWaitMs !== undefined ? { appendLockTimeoutMs: options.writeLockWaitMs } : {}) }),
);
registerStoreFactory(['kurrentdb', 'kurrentdb+discover', 'esdb', 'esdb+discover'], (url, options) => {
  // Loaded on demand: its gRPC client took ~40 % of the start of every CLI command, whatever its store.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { KurrentDbEventStore } = require('./kurrentdb/kurrentdb-event-store') as typeof KurrentDb;
  return KurrentDbEventStore.connect(url, options);
});

/** `sqlite:./data/ledger.sqlite`, `sqlite:///abs/path.sqlite` or `sqlite::memory:` → a file path. */
export const sqlitePath = (url: string): string => {
  const rest = url.replace(/^sqlite:(\/\/)?/, '');
  return rest === ':memory:' ? rest : resolve(rest);
};

/** The scheme of a store URL, without credentials, for messages. */
export const storeScheme = (url: string): string => url.split(':')[0];

/** Opens the store named by `--store` / `LEDGER_STORE` (default: the embedded SQLite file). */
export const openEventStore = async (url: string = process.env.LEDGER_STORE ?? DEFAULT_STORE_URL, options: OpenEventStoreOptions = {}): Promise<EventStore> => {
  const factory = factories.get(storeScheme(url));
  if (!factory) {
    // A bare path (`ledger.sqlite`) has no colon, so no credentials to hide: name the URL it was meant as.
    const bare = url !== '' && !url.includes(':') ? ` (a SQLite file is written sqlite:${url})` : '';
    throw new InvalidStoreUrlError(`Unknown store URL scheme "${storeScheme(url)}"${bare}: use sqlite:FILE, postgres://… or kurrentdb://…`);
  }
  // A server URL Node cannot parse (a port that is not a number, a bracket left open) is named by its scheme
  // only: the rest may hold a password.
  if (storeScheme(url) !== 'sqlite' && !URL.canParse(url)) {
    throw new InvalidStoreUrlError(`The ${storeScheme(url)} store URL cannot be parsed: write it as ${storeScheme(url)}://USER:PASSWORD@HOST:PORT/NAME (a numeric port; characters such as @, :, / or spaces in the password percent-encoded)`);
  }
  return factory(url, options);
};
