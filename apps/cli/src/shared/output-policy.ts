import { readdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ledgerFiles } from '@trial-ledger/audit';
import { sqlitePath, storeScheme } from '@trial-ledger/event-store';
import { SESSIONS_FILE_SUFFIX } from '@trial-ledger/identity';
import { auditIndexFileOf, sideFileWriterLockOf } from '@trial-ledger/projections';
import { sessionSealKeyFile } from '../serve/session-seal-key';
import type { OutputPolicy } from '../export/output-target';
import { CliError } from './cli-errors';
import type { GlobalOptions } from './cli-context';

/** SQLite's own companions of a database file: the write-ahead log, its index, a rollback journal. */
const SQLITE_COMPANIONS = ['', '-wal', '-shm', '-journal'];

/** The SQLite file and its companions, and the side files beside it with theirs (none for a server store). */
export const storeSideFiles = (store: string): string[] => {
  if (storeScheme(store) !== 'sqlite') return [];
  const file = sqlitePath(store);
  if (file === ':memory:') return [];
  const own: string[] = [];
  for (const base of [file, `${file}.read-models`, auditIndexFileOf(file), `${file}${SESSIONS_FILE_SUFFIX}`]) for (const suffix of SQLITE_COMPANIONS) own.push(`${base}${suffix}`);
  for (const sideFile of [`${file}.read-models`, auditIndexFileOf(file)]) for (const suffix of SQLITE_COMPANIONS) own.push(`${sideFileWriterLockOf(sideFile)}${suffix}`);
  return own;
};

/** The files the configuration places (the environment and `--key-dir`), by what each one is. */
const configuredFiles = (options: Pick<GlobalOptions, 'store' | 'keyDir'>): { files: ReturnType<typeof ledgerFiles>; named: [string, string][] } => {
  const files = ledgerFiles(options.store, { keyDir: options.keyDir });
  return {
    files,
    named: [
      ['the ledger signing key (LEDGER_KEY_FILE)', files.keyFile],
      ["the sessions' seal key (beside the signing key)", sessionSealKeyFile(files.keyFile)],
      ['the checkpoint file (LEDGER_CHECKPOINT_FILE)', files.checkpointFile],
      ['the trust file (TRIAL_LEDGER_TRUST_FILE)', files.trustFile],
    ],
  };
};

/** What the key directory holds for each ledger it serves: signing keys, sessions' seal keys, the trust file. */
const KEY_DIRECTORY_FILE = /(\.key\.pem|\.sessions-seal\.key|^trusted-keys\.json)$/;

/**
 * The keys of every ledger in the key directory, not only this store's: the default directory is shared
 * (`~/.config/trial-ledger` holds `ledger.key.pem` beside `demo.key.pem`), so an export run against one
 * ledger must not replace another's signing key, which would orphan every checkpoint it signed.
 */
const keyDirectoryFiles = (keyDir: string): string[] => {
  try {
    return readdirSync(keyDir).filter((name) => KEY_DIRECTORY_FILE.test(name)).map((name) => join(keyDir, name));
  } catch {
    return [];
  }
};

/**
 * Every file that belongs to the ledger and that no output may replace: the SQLite file and its
 * companions, the API's read-model file (`FILE.read-models`, see the read-models runner) and its
 * audit-trail index (`FILE.audit-index`) with their companions, the sessions file (`FILE.sessions`) and its companions, the checkpoint file, the signing
 * key (and an earlier version's key beside the store), the sessions' seal key and the trust file.
 */
export const ledgerOwnFiles = (options: Pick<GlobalOptions, 'store' | 'keyDir'>): string[] => {
  const { files, named } = configuredFiles(options);
  return [...named.map(([, file]) => file), files.legacyKeyFile, ...storeSideFiles(options.store), ...keyDirectoryFiles(files.keyDir)];
};

/** The path with its directory's symlinks resolved, so two spellings of one file compare equal. */
const location = (file: string): string => {
  try {
    return join(realpathSync(dirname(resolve(file))), basename(file));
  } catch {
    return resolve(file);
  }
};

/**
 * Refuses (`CONFIG.FILE_CLASH`, exit 2) a configuration that puts the signing key, the seal key, the
 * checkpoint file or the trust file on one of the store's files or on each other — say
 * `LEDGER_KEY_FILE=data/ledger.sqlite-wal`: SQLite deletes its write-ahead log when the store closes, so
 * the key created there (or the checkpoints appended there) would be gone after the first run, and every
 * checkpoint signed with it orphaned. Checked before any command runs, so nothing is created first.
 */
export const assertLedgerFilesApart = (options: Pick<GlobalOptions, 'store' | 'keyDir'>): void => {
  const { named } = configuredFiles(options);
  const taken = new Map<string, string>(storeSideFiles(options.store).map((file) => [location(file), `the store's own file ${file}`]));
  for (const [what, file] of named) {
    const clash = taken.get(location(file));
    if (clash) throw new CliError(`The configuration puts ${what} at ${file}, which is ${clash}; give each its own path`, 2, 'CONFIG.FILE_CLASH');
    taken.set(location(file), what);
  }
};

/** The output policy of a command: the ledger's files are protected; `--force` replaces other existing files. */
export const outputPolicy = (options: Pick<GlobalOptions, 'store' | 'keyDir'>, force: boolean | undefined): OutputPolicy => ({
  protectedFiles: ledgerOwnFiles(options),
  force: force === true,
});
