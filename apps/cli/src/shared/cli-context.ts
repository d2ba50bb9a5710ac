import type { Command } from 'commander';
import { DEFAULT_STORE_URL, openEventStore, type EventStore } from '@trial-ledger/event-store';

/** Global options every command sees (SPEC §6). */
export interface GlobalOptions {
  /** Store URL; default from `LEDGER_STORE`, else `sqlite:./data/ledger.sqlite`. */
  readonly store: string;
  /** Acting user's username; the password comes from `TRIAL_LEDGER_PASSWORD` or a TTY prompt. */
  readonly as?: string;
  readonly json?: boolean;
}

export const globalOptions = (command: Command): GlobalOptions => {
  const options = command.optsWithGlobals<{ store?: string; as?: string; json?: boolean }>();
  return { store: options.store ?? process.env.LEDGER_STORE ?? DEFAULT_STORE_URL, as: options.as, json: options.json };
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

/** Long runs show progress on a TTY and stay quiet otherwise (SPEC §6). */
export const isInteractive = (): boolean => Boolean(process.stderr.isTTY) && process.env.CI === undefined;
