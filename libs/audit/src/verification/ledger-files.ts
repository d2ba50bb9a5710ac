import { homedir } from 'node:os';
import { dirname, join, basename, extname, isAbsolute, relative, resolve } from 'node:path';
import { sqlitePath, storeScheme } from '@trial-ledger/event-store';

/** Where the ledger key, the server's checkpoint file and the auditor's trust file live for a store URL. */
export interface LedgerFiles {
  /** The directory that holds the store (SQLite) or the server's files (other stores). */
  readonly storeDir: string;
  /** The per-user key directory (mode 0700): `--key-dir`, `TRIAL_LEDGER_KEY_DIR`, else `$XDG_CONFIG_HOME/trial-ledger`. */
  readonly keyDir: string;
  /**
   * Ed25519 private key (PKCS#8 PEM, mode 0600): `LEDGER_KEY_FILE`, else `KEY_DIR/NAME.key.pem` — never
   * beside the store by default, so that whoever can write the data directory cannot re-sign a
   * rewritten log with the ledger's own key.
   */
  readonly keyFile: string;
  /** Where earlier versions kept the key, beside the store (`data/ledger.key.pem`): never used, only refused. */
  readonly legacyKeyFile: string;
  /** JSON-lines checkpoint file: `LEDGER_CHECKPOINT_FILE`, else beside the SQLite file. */
  readonly checkpointFile: string;
  /** The auditor's pinned public keys: `TRIAL_LEDGER_TRUST_FILE`, else `KEY_DIR/trusted-keys.json`. */
  readonly trustFile: string;
}

export interface LedgerFileOptions {
  /** `--key-dir`: wins over the environment. */
  readonly keyDir?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** The per-user configuration directory (XDG Base Directory): `$XDG_CONFIG_HOME/trial-ledger`, else `~/.config/trial-ledger`. */
export const userConfigDir = (env: NodeJS.ProcessEnv = process.env): string =>
  join(env.XDG_CONFIG_HOME ? resolve(env.XDG_CONFIG_HOME) : join(homedir(), '.config'), 'trial-ledger');

/**
 * `sqlite:./data/ledger.sqlite` → checkpoints `./data/ledger.checkpoints.jsonl`, key
 * `~/.config/trial-ledger/ledger.key.pem`; server stores (PostgreSQL, KurrentDB) → `./data/ledger.*`
 * and `ledger.key.pem` unless the environment names the files.
 */
export const ledgerFiles = (storeUrl: string, options: LedgerFileOptions = {}): LedgerFiles => {
  const env = options.env ?? process.env;
  let base = resolve('data', 'ledger');
  if (storeScheme(storeUrl) === 'sqlite') {
    const file = sqlitePath(storeUrl);
    if (file !== ':memory:') base = join(dirname(file), basename(file, extname(file)));
  }
  const keyDir = resolve(options.keyDir ?? (env.TRIAL_LEDGER_KEY_DIR || userConfigDir(env)));
  return {
    storeDir: dirname(base),
    keyDir,
    keyFile: env.LEDGER_KEY_FILE ? resolve(env.LEDGER_KEY_FILE) : join(keyDir, `${basename(base)}.key.pem`),
    legacyKeyFile: `${base}.key.pem`,
    checkpointFile: env.LEDGER_CHECKPOINT_FILE ? resolve(env.LEDGER_CHECKPOINT_FILE) : `${base}.checkpoints.jsonl`,
    trustFile: env.TRIAL_LEDGER_TRUST_FILE ? resolve(env.TRIAL_LEDGER_TRUST_FILE) : join(keyDir, 'trusted-keys.json'),
  };
};

/** True when `file` lies in `dir` or below it (both already absolute; symlinks resolved by the caller). */
export const isInside = (file: string, dir: string): boolean => {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};
