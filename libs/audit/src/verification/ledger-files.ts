import { dirname, join, basename, extname, resolve } from 'node:path';
import { sqlitePath, storeScheme } from '@trial-ledger/event-store';

/** Where the ledger key and the server's own checkpoint file live for a store URL. */
export interface LedgerFiles {
  /** Ed25519 private key (PKCS#8 PEM, mode 0600): `LEDGER_KEY_FILE`, else beside the SQLite file. */
  readonly keyFile: string;
  /** JSON-lines checkpoint file: `LEDGER_CHECKPOINT_FILE`, else beside the SQLite file. */
  readonly checkpointFile: string;
}

/**
 * `sqlite:./data/ledger.sqlite` → `./data/ledger.key.pem` and `./data/ledger.checkpoints.jsonl`;
 * server stores (PostgreSQL, KurrentDB) → `./data/ledger.*` unless the environment names the files.
 */
export const ledgerFiles = (storeUrl: string, env: NodeJS.ProcessEnv = process.env): LedgerFiles => {
  let base = resolve('data', 'ledger');
  if (storeScheme(storeUrl) === 'sqlite') {
    const file = sqlitePath(storeUrl);
    if (file !== ':memory:') base = join(dirname(file), basename(file, extname(file)));
  }
  return {
    keyFile: env.LEDGER_KEY_FILE ? resolve(env.LEDGER_KEY_FILE) : `${base}.key.pem`,
    checkpointFile: env.LEDGER_CHECKPOINT_FILE ? resolve(env.LEDGER_CHECKPOINT_FILE) : `${base}.checkpoints.jsonl`,
  };
};
