import { closeSync, constants, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { withoutSecrets } from '@trial-ledger/config';
import { DEFAULT_STORE_URL, openEventStore, sqlitePath, storeScheme, StoreWriteError, type EventStore, type StoreWarningListener } from '@trial-ledger/event-store';
import { CliError } from './cli-errors';
import { terminalSafe } from './output';

/** Global options every command sees (SPEC §6). */
export interface GlobalOptions {
  /** Store URL; default from `LEDGER_STORE`, else `sqlite:./data/ledger.sqlite`. */
  readonly store: string;
  /** Acting user's username; the password comes from `TRIAL_LEDGER_PASSWORD` or a TTY prompt. */
  readonly as?: string;
  readonly json?: boolean;
  /** `--key-dir`: where the ledger's signing key and the trust file live (else `TRIAL_LEDGER_KEY_DIR`, else the per-user config directory). */
  readonly keyDir?: string;
}

export const globalOptions = (command: Command): GlobalOptions => {
  const options = command.optsWithGlobals<{ store?: string; as?: string; json?: boolean; keyDir?: string }>();
  return { store: options.store ?? process.env.LEDGER_STORE ?? DEFAULT_STORE_URL, as: options.as, json: options.json, keyDir: options.keyDir };
};

/**
 * How long a CLI write waits for the write lock another process holds (a running `serve` in the middle of a
 * write, an import, a `sqlite3` or `psql` session left inside a transaction) before it is refused: SQLite's
 * write lock, PostgreSQL's append lock. The server waits 10 s for its clients, who retry; a person at a
 * terminal is told at once what to do instead.
 */
export const CLI_WRITE_LOCK_WAIT_MS = 2_000;

/**
 * A write the CLI gave up for a lock held elsewhere, in words that say what to do: `store` names what another
 * process is writing, `outcome` what became of this command (by default: not recorded, try again).
 */
export const lockRefusal = (
  error: unknown,
  store = 'the ledger',
  outcome = "the command was not recorded: try again in a moment, or send it to the running server's API",
): unknown =>
  error instanceof StoreWriteError && error.code === 'STORE.LOCKED' ? heldLockError(store, outcome) : error;

/** STORE.LOCKED in the CLI's words (exit 1). */
export const heldLockError = (store: string, outcome: string): CliError =>
  new CliError(
    `Another process is writing ${store} and kept its write lock for ${CLI_WRITE_LOCK_WAIT_MS / 1000} s (a running serve under load, an import, a sqlite3 or psql session left inside a transaction); ${outcome}`,
    1,
    'STORE.LOCKED',
  );

/**
 * Opens the store for the duration of `work` and always closes it; a SQLite path that exists must be a ledger file.
 * `lockOutcome`: what a write given up for a held lock left behind, in the command's words (default: a command not recorded).
 */
export const withStore = async <T>(options: GlobalOptions, work: (store: EventStore) => Promise<T>, lockOutcome?: string): Promise<T> => {
  assertStoreFileShape(options.store);
  // A dropped idle connection is one line on stderr, never a stack; stdout (and so --json output) stays the command's.
  const onWarning: StoreWarningListener = (warning) => void process.stderr.write(`trial-ledger: warning: ${terminalSafe(withoutSecrets(warning.message))} [${warning.code}]\n`);
  const store = await openEventStore(options.store, { writeLockWaitMs: CLI_WRITE_LOCK_WAIT_MS, onWarning });
  try {
    return await work(store);
  } catch (error) {
    throw lockRefusal(error, undefined, lockOutcome);
  } finally {
    await store.close();
  }
};

/**
 * Like {@link withStore}, for commands that only read a ledger (verify, replay, pfs, audit-trail,
 * export, report): a SQLite path that names no file is refused instead of being created empty — else
 * a mistyped `--store` would make `verify` report an intact (empty) ledger and exit 0, and leave an
 * empty ledger file behind.
 */
export const withExistingStore = async <T>(options: GlobalOptions, work: (store: EventStore) => Promise<T>): Promise<T> => {
  assertLedgerExists(options.store);
  return withStore(options, work);
};

/** SQLite's file header: the first 16 bytes of every database. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Why an existing path cannot be a SQLite ledger, or null: a directory (`sqlite:` names the current one),
 * a device, a FIFO, or a file that does not start as a SQLite database does. Checked without opening
 * anything but a regular file, so `/dev/null` is not written to nor a FIFO waited on.
 */
const notALedgerFile = (file: string): string | null => {
  const stats = statSync(file);
  if (!stats.isFile()) return stats.isDirectory() ? 'a directory' : 'not a regular file (a device, FIFO or socket)';
  if (stats.size === 0) return null;
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_HEADER) ? null : 'not a SQLite database';
  } finally {
    closeSync(fd);
  }
};

/**
 * Refuses a SQLite store URL whose file does not exist (STORE.NOT_FOUND) or is no SQLite database
 * (STORE.NOT_A_LEDGER, as opening it would say, but before `checkpoint` mints a signing key for it and
 * instead of SQLite's own `SQLITE_CANTOPEN` or `SQLITE_IOERR_*`); other schemes pass.
 */
export const assertLedgerExists = (storeUrl: string): void => {
  if (storeScheme(storeUrl) !== 'sqlite') return;
  const file = sqlitePath(storeUrl);
  if (file === ':memory:') return;
  if (!existsSync(file)) {
    throw new CliError(`No ledger at ${file}: the SQLite file does not exist. Check --store or LEDGER_STORE; a new ledger starts with users create-admin (or demo)`, 1, 'STORE.NOT_FOUND');
  }
  assertStoreFileShape(storeUrl);
};

/** Refuses (STORE.NOT_A_LEDGER) a SQLite store path that exists and cannot be a ledger file; a path that does not exist yet passes. */
const assertStoreFileShape = (storeUrl: string): void => {
  if (storeScheme(storeUrl) !== 'sqlite') return;
  const file = sqlitePath(storeUrl);
  if (file === ':memory:' || !existsSync(file)) return;
  const why = notALedgerFile(file);
  if (why !== null) throw new CliError(`${file} is not a trial-ledger ledger: it is ${why} (check --store or LEDGER_STORE)`, 1, 'STORE.NOT_A_LEDGER');
};

/** Long runs show progress on a TTY and stay quiet otherwise (SPEC §6). */
export const isInteractive = (): boolean => Boolean(process.stderr.isTTY) && process.env.CI === undefined;
