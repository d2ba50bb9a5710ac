import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, lstatSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { assertKeyDirSafe, unsafeKeyFileReason } from '@trial-ledger/audit';
import { CliError } from '../shared/cli-errors';

const KEY_BYTES = 32;

/**
 * The key that seals the API's sessions (`IdentityOptions.sessionSealKey`), in the operator's key
 * directory beside the ledger key, never beside the store: whoever can write the sessions file or
 * table must not also hold it. Created 0600 on first use ('wx': never through a file or symlink
 * planted at its path); a symlink, a non-regular file, another user's file, one other users may read
 * or write, or a file of another length is refused rather
 * than followed or replaced, since a new key ends every open session. Every server on one ledger
 * reads the same file, so a session opened on one is valid on the others and after a restart.
 */
export const ensureSessionSealKey = (file: string): Buffer => {
  // A key directory others may write would let them plant the seal key (and the signing key beside it).
  assertKeyDirSafe(dirname(file));
  const key = readSessionSealKey(file);
  if (key !== null) return key;
  installSessionSealKey(file);
  return ensureSessionSealKey(file);
};

/** The key at `file`, or null when there is none yet; a symlink, a non-regular file, another user's, one others may read, or a file of another length is refused. */
export const readSessionSealKey = (file: string): Buffer | null => {
  const stats = lstatSync(file, { throwIfNoEntry: false });
  if (!stats) return null;
  // Whoever can read it can seal a session row of their own (any user id) in the sessions file they can write.
  const why = unsafeKeyFileReason(stats);
  if (why !== null) throw new CliError(`The session key ${file} ${why}; remove it and start again (open sessions end)`, 1, 'SESSION_KEY.UNSAFE');
  const key = readFileSync(file);
  if (key.length !== KEY_BYTES) throw new CliError(`The session key ${file} is not ${KEY_BYTES} bytes; remove it and start again (open sessions end)`, 1, 'SESSION_KEY.UNSAFE');
  return key;
};

/**
 * Puts a new key at `file` unless one is already there. The key is written whole to a private temporary
 * file and hard-linked into place, which fails if the name exists: servers starting together on one key
 * directory never see a half-written key, and the one that loses the race keeps the winner's key.
 */
export const installSessionSealKey = (file: string): void => {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
  try {
    chmodSync(temporary, 0o600);
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
};

/** Where `serve` keeps the session key of the ledger whose signing key is `keyFile`. */
export const sessionSealKeyFile = (keyFile: string): string => keyFile.replace(/\.key\.pem$/, '') + '.sessions-seal.key';
