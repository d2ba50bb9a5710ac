import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError } from '../shared/cli-errors';

const KEY_BYTES = 32;

/**
 * The key that seals the API's sessions (`IdentityOptions.sessionSealKey`), in the operator's key
 * directory beside the ledger key, never beside the store: whoever can write the sessions file or
 * table must not also hold it. Created 0600 on first use ('wx': never through a file or symlink
 * planted at its path); a symlink, a non-regular file or a file of another length is refused rather
 * than followed or replaced, since a new key ends every open session. Every server on one ledger
 * reads the same file, so a session opened on one is valid on the others and after a restart.
 */
export const ensureSessionSealKey = (file: string): Buffer => {
  const stats = lstatSync(file, { throwIfNoEntry: false });
  if (!stats) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return readFileSync(file);
  }
  if (!stats.isFile()) throw new CliError(`The session key ${file} is not a regular file (a symlink or other); remove it and start again`, 1, 'SESSION_KEY.UNSAFE');
  const key = readFileSync(file);
  if (key.length !== KEY_BYTES) throw new CliError(`The session key ${file} is not ${KEY_BYTES} bytes; remove it and start again (open sessions end)`, 1, 'SESSION_KEY.UNSAFE');
  return key;
};

/** Where `serve` keeps the session key of the ledger whose signing key is `keyFile`. */
export const sessionSealKeyFile = (keyFile: string): string => keyFile.replace(/\.key\.pem$/, '') + '.sessions-seal.key';
