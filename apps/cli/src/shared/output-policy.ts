import { ledgerFiles } from '@trial-ledger/audit';
import { sqlitePath, storeScheme } from '@trial-ledger/event-store';
import { SESSIONS_FILE_SUFFIX } from '@trial-ledger/identity';
import { auditIndexFileOf } from '@trial-ledger/projections';
import { sessionSealKeyFile } from '../serve/session-seal-key';
import type { OutputPolicy } from '../export/output-target';
import type { GlobalOptions } from './cli-context';

/** SQLite's own companions of a database file: the write-ahead log, its index, a rollback journal. */
const SQLITE_COMPANIONS = ['', '-wal', '-shm', '-journal'];

/**
 * Every file that belongs to the ledger and that no output may replace: the SQLite file and its
 * companions, the API's read-model file (`FILE.read-models`, see the read-models runner) and its
 * audit-trail index (`FILE.audit-index`) with their companions, the sessions file (`FILE.sessions`) and its companions, the checkpoint file, the signing
 * key (and an earlier version's key beside the store), the sessions' seal key and the trust file.
 */
export const ledgerOwnFiles = (options: Pick<GlobalOptions, 'store' | 'keyDir'>): string[] => {
  const files = ledgerFiles(options.store, { keyDir: options.keyDir });
  const own = [files.keyFile, files.legacyKeyFile, sessionSealKeyFile(files.keyFile), files.checkpointFile, files.trustFile];
  if (storeScheme(options.store) === 'sqlite') {
    const file = sqlitePath(options.store);
    if (file !== ':memory:') {
      for (const base of [file, `${file}.read-models`, auditIndexFileOf(file), `${file}${SESSIONS_FILE_SUFFIX}`]) for (const suffix of SQLITE_COMPANIONS) own.push(`${base}${suffix}`);
    }
  }
  return own;
};

/** The output policy of a command: the ledger's files are protected; `--force` replaces other existing files. */
export const outputPolicy = (options: Pick<GlobalOptions, 'store' | 'keyDir'>, force: boolean | undefined): OutputPolicy => ({
  protectedFiles: ledgerOwnFiles(options),
  force: force === true,
});
