import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, realpathSync, writeFileSync, chmodSync, existsSync, lstatSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DomainError } from '@trial-ledger/domain';
import { readRegularFile } from '../shared/regular-file';
import { isInside, type LedgerFiles } from './ledger-files';

/**
 * The ledger's Ed25519 key pair. The private half signs checkpoints (SPEC §4) and lives in the
 * operator's key directory (0700; the file 0600), never beside the store by default; the public half is exported to monitors and regulators, who
 * verify checkpoints with their own copy so that an attacker who rewrites the database *and* the key
 * file beside it is still caught (Part 11 §11.10(b)(e)).
 */
export interface LedgerSigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** `sha256:` + hex SHA-256 of the DER SubjectPublicKeyInfo: names the key in every checkpoint. */
  readonly fingerprint: string;
}

export const publicKeyFingerprint = (publicKey: KeyObject): string =>
  `sha256:${createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex')}`;

const assertEd25519 = (key: KeyObject, file: string): void => {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new DomainError('LEDGER_KEY.WRONG_TYPE', `${file} holds a ${String(key.asymmetricKeyType)} key, not Ed25519`, 'validation');
  }
};

/** Reads the private key file (PKCS#8 PEM). */
export const loadLedgerKey = (file: string): LedgerSigningKey => {
  if (!existsSync(file)) throw new DomainError('LEDGER_KEY.MISSING', `No ledger key at ${file}`, 'not-found');
  const privateKey = createPrivateKey(readFileSync(file));
  assertEd25519(privateKey, file);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, fingerprint: publicKeyFingerprint(publicKey) };
};

/** This process's user id (undefined where there is none, e.g. Windows). */
const currentUid = (): number | undefined => process.getuid?.();

/** Owned by this user or by root (who can write anything anyway), as ssh requires of its key directories. */
const ownedByUs = (uid: number): boolean => {
  const ours = currentUid();
  return ours === undefined || uid === ours || uid === 0;
};

/** The directory half of `assertKeyLocationSafe`, for the other keys kept there (the sessions' seal key). */
export const assertKeyDirSafe = (keyDir: string): void => {
  // Followed: a key directory may be a symlink to where the operator keeps secrets; what counts is who can write that.
  const dir = statSync(keyDir, { throwIfNoEntry: false });
  if (!dir) return;
  // Another user's directory is as open as a world-writable one: its owner can put a key of their own in it.
  const why = !dir.isDirectory()
    ? 'is not a directory'
    : (dir.mode & 0o022) !== 0
      ? `may be written by other users (mode ${(dir.mode & 0o7777).toString(8)})`
      : !ownedByUs(dir.uid)
        ? `belongs to another user (uid ${dir.uid})`
        : null;
  if (why !== null) {
    throw new DomainError(
      'LEDGER_KEY.DIR_UNSAFE',
      `The key directory ${keyDir} ${why}: whoever can write it can plant a key of their own; chmod 700 it, or choose another with --key-dir`,
      'conflict',
      { keyDir },
    );
  }
};

/**
 * Why a secret key file (the signing key, the sessions' seal key) must not be used, or null: a symlink or
 * other non-regular file, another user's file, or one other users may read or write (mode & 077) — whoever
 * reads the signing key can re-sign a rewritten log, whoever reads the seal key can seal a session row of
 * their own. ssh refuses its private keys on the same grounds ("UNPROTECTED PRIVATE KEY FILE").
 */
export const unsafeKeyFileReason = (stats: Stats): string | null => {
  if (!stats.isFile()) return 'is not a regular file (a symlink or other)';
  const ours = currentUid();
  if (ours !== undefined && stats.uid !== ours) return 'belongs to another user';
  if ((stats.mode & 0o077) !== 0) return `may be read or written by other users (mode ${(stats.mode & 0o7777).toString(8)}; chmod 600 it)`;
  return null;
};

/**
 * Refuses a key directory other users may write or another user owns (`LEDGER_KEY.DIR_UNSAFE`) and a key
 * file that is not a regular file of this user's, private to it (`LEDGER_KEY.FILE_UNSAFE`). Whoever can write
 * the directory can put a key of their own at the key's name before the first checkpoint (or a symlink to
 * one): the ledger would then sign with a key they hold, the public key handed to auditors would be theirs,
 * and a rewritten log re-signed with it would verify as anchored; whoever can read the key can do the same
 * with the real one. The check is ssh's for its own keys.
 */
export const assertKeyLocationSafe = (file: string): void => {
  assertKeyDirSafe(dirname(file));
  const key = lstatSync(file, { throwIfNoEntry: false });
  const why = key ? unsafeKeyFileReason(key) : null;
  if (why !== null) {
    throw new DomainError(
      'LEDGER_KEY.FILE_UNSAFE',
      `The ledger key ${file} ${why}: it is not used; remove it, or put the operator's own key there`,
      'conflict',
      { keyFile: file },
    );
  }
};

/**
 * Creates the key pair at set-up if the file does not exist yet (never overwrites one: replacing the
 * key would orphan every checkpoint a regulator holds). A missing key directory is created 0700 and
 * the file 0600; `onCreated` hears of a new key, so its fingerprint can be shown for out-of-band pinning.
 */
export const ensureLedgerKey = (file: string, onCreated?: (key: LedgerSigningKey) => void): LedgerSigningKey => {
  assertKeyLocationSafe(file);
  if (existsSync(file)) return loadLedgerKey(file);
  const dir = dirname(file);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  const key = loadLedgerKey(file);
  onCreated?.(key);
  return key;
};

/**
 * The ledger's key from its key directory, created there on first use — but never while a key from an
 * earlier version still lies beside the store: a new key would orphan every checkpoint the old one
 * signed, so the operator moves the old key into the key directory instead (the message says how).
 */
export const ensureLedgerKeyFor = (files: LedgerFiles, onCreated?: (key: LedgerSigningKey) => void): LedgerSigningKey => {
  assertKeyDirOutsideStore(files);
  assertNoKeyBesideStore(files);
  assertNoCheckpointsWithoutKey(files);
  return ensureLedgerKey(files.keyFile, onCreated);
};

/**
 * The ledger's existing key, for a command that only proves or signs with it (`proof`): never created
 * here. The key is found by the store's name (`sqlite:d/src.sqlite` → `KEY_DIR/src.key.pem`, a server
 * store → `KEY_DIR/ledger.key.pem`) unless `LEDGER_KEY_FILE` names it, so a ledger migrated to another
 * store looks for another file; a key made there would sign nothing an auditor holds and every kept
 * checkpoint would fail under it. The refusal (`LEDGER_KEY.MISSING`) names the file and both ways out.
 */
export const existingLedgerKeyFor = (files: LedgerFiles): LedgerSigningKey => {
  assertKeyDirOutsideStore(files);
  assertNoKeyBesideStore(files);
  assertKeyLocationSafe(files.keyFile);
  if (!existsSync(files.keyFile)) {
    throw new DomainError(
      'LEDGER_KEY.MISSING',
      `No ledger key at ${files.keyFile}, and this command never creates one: a ledger copied from another store (migrate) keeps the key it was signed with — ` +
        `name that key with LEDGER_KEY_FILE=FILE, or copy it to ${files.keyFile} (mode 0600); a ledger that never had a key gets one from trial-ledger checkpoint`,
      'not-found',
      { keyFile: files.keyFile },
    );
  }
  return loadLedgerKey(files.keyFile);
};

/** The first bytes of a checkpoint file tell whether it holds a line: each is a short JSON object. */
const CHECKPOINT_PEEK_BYTES = 64 * 1024;

const holdsCheckpoints = (file: string): boolean => {
  const stats = lstatSync(file, { throwIfNoEntry: false });
  if (!stats?.isFile() || stats.size === 0) return false;
  const fd = openSync(file, 'r');
  try {
    const peek = Buffer.alloc(Math.min(stats.size, CHECKPOINT_PEEK_BYTES));
    return /\S/.test(peek.subarray(0, readSync(fd, peek, 0, peek.length, 0)).toString('utf8'));
  } finally {
    closeSync(fd);
  }
};

/**
 * Refuses (`LEDGER_KEY.MISSING`) to create a signing key for a ledger that already has signed checkpoints:
 * the key that signed them is gone from the key directory (moved, lost, or removed by someone who wants a
 * fresh key). A new key would orphan every checkpoint an auditor holds, and its public key, handed out
 * as the ledger's, would vouch for whatever the log holds now; the operator restores the key instead.
 */
export const assertNoCheckpointsWithoutKey = (files: LedgerFiles): void => {
  if (existsSync(files.keyFile) || !holdsCheckpoints(files.checkpointFile)) return;
  throw new DomainError(
    'LEDGER_KEY.MISSING',
    `The ledger key ${files.keyFile} is missing, but ${files.checkpointFile} holds checkpoints signed by the ledger's key: ` +
      'a new key would orphan them and every copy auditors keep; put the key that signed them back (or name it with LEDGER_KEY_FILE) and run the command again',
    'not-found',
    { keyFile: files.keyFile, checkpointFile: files.checkpointFile },
  );
};

/** The path with the symlinks of its deepest existing directory resolved, so `data/keys/..` and a link into `data/` compare as `data`. */
const realDirectory = (dir: string): string => {
  const tail: string[] = [];
  for (let at = dir; ; at = dirname(at)) {
    try {
      return join(realpathSync(at), ...tail);
    } catch {
      if (dirname(at) === at) return dir;
      tail.unshift(basename(at));
    }
  }
};

/**
 * Refuses (`LEDGER_KEY.INSIDE_STORE_DIR`) a signing key whose directory is the store's directory or lies
 * inside it (`--key-dir .` run in `data/`, `--key-dir data/keys`): whoever can write the data could then
 * replace the key, or the directory holding it, and re-sign a rewritten log with the ledger's own key
 * (Part 11 §11.10(c)). The same rule as the trust file's (`TRUST.INSIDE_STORE_DIR`).
 */
export const assertKeyDirOutsideStore = (files: LedgerFiles): void => {
  const keyDir = realDirectory(dirname(files.keyFile));
  const storeDir = realDirectory(files.storeDir);
  if (keyDir === storeDir || isInside(keyDir, storeDir)) {
    throw new DomainError(
      'LEDGER_KEY.INSIDE_STORE_DIR',
      `The ledger key ${files.keyFile} lies in the store's directory ${files.storeDir}, where whoever can write the data could re-sign it; keep the key directory elsewhere (--key-dir or TRIAL_LEDGER_KEY_DIR)`,
      'validation',
      { keyFile: files.keyFile, storeDir: files.storeDir },
    );
  }
};

/** Refuses (`LEDGER_KEY.BESIDE_STORE`) while the key is missing from the key directory but an earlier version's key lies beside the store. */
export const assertNoKeyBesideStore = (files: LedgerFiles): void => {
  if (!existsSync(files.keyFile) && files.legacyKeyFile !== files.keyFile && existsSync(files.legacyKeyFile)) {
    throw new DomainError(
      'LEDGER_KEY.BESIDE_STORE',
      `The ledger key ${files.legacyKeyFile} lies beside the store, where whoever can write the data can also re-sign it; ` +
        `move it to the key directory (mkdir -m 700 -p ${dirname(files.keyFile)} && mv ${files.legacyKeyFile} ${files.keyFile}) and run the command again`,
      'conflict',
      { keyFile: files.keyFile, legacyKeyFile: files.legacyKeyFile },
    );
  }
};

/** SPKI PEM of the public half, as handed to a regulator. */
export const exportPublicKeyPem = (key: LedgerSigningKey): string => key.publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** Reads a public key a regulator was given (SPKI PEM); a private key file is accepted too. */
/** A PEM key is a few hundred bytes. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/** The public key an auditor trusts (or the ledger key, whose public half is taken); anything else is LEDGER_KEY.MALFORMED. */
export const loadPublicKey = (file: string): KeyObject => {
  if (!existsSync(file)) throw new DomainError('LEDGER_KEY.MISSING', `No public key at ${file}`, 'not-found');
  const pem = readRegularFile(file, MAX_KEY_FILE_BYTES, 'LEDGER_KEY.MALFORMED', 'a PEM key file');
  let key: KeyObject;
  try {
    key = pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
  } catch {
    throw new DomainError('LEDGER_KEY.MALFORMED', `${file} holds no PEM public key`, 'validation', { path: file });
  }
  assertEd25519(key, file);
  return key;
};
