import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_STORE_URL, openEventStore, sqlitePath, storeScheme, type EventStore } from '@trial-ledger/event-store';
import { CliError } from './cli-errors';

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

/** Opens the store for the duration of `work` and always closes it. */
export const withStore = async <T>(options: GlobalOptions, work: (store: EventStore) => Promise<T>): Promise<T> => {
  const store = await openEventStore(options.store);
  try {
    return await work(store);
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

/** Refuses (STORE.NOT_FOUND) a SQLite store URL whose file does not exist; other schemes pass. */
export const assertLedgerExists = (storeUrl: string): void => {
  if (storeScheme(storeUrl) !== 'sqlite') return;
  const file = sqlitePath(storeUrl);
  if (file !== ':memory:' && !existsSync(file)) {
    throw new CliError(`No ledger at ${file}: the SQLite file does not exist (check --store or LEDGER_STORE)`, 1, 'STORE.NOT_FOUND');
  }
};

/** Long runs show progress on a TTY and stay quiet otherwise (SPEC §6). */
export const isInteractive = (): boolean => Boolean(process.stderr.isTTY) && process.env.CI === undefined;
