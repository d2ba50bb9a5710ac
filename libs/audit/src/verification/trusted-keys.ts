import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DomainError } from '@trial-ledger/domain';
import { sqlitePath, storeScheme } from '@trial-ledger/event-store';
import { isInside } from './ledger-files';
import { publicKeyFingerprint } from './ledger-key';

/**
 * An auditor's pinned ledger public key: the key received out of band (its fingerprint was printed
 * when the operator created it), kept in a trust file outside the store's directory. Checkpoints
 * verified under a pinned key anchor the chain: an operator who rewrites the log and re-signs it
 * with a new key is caught, because the new key is not the pinned one.
 */
export interface PinnedKey {
  /** The store the key vouches for ({@link storeIdentity}). */
  readonly store: string;
  readonly fingerprint: string;
  /** SPKI PEM. */
  readonly publicKey: string;
  readonly pinnedAt: string;
  /**
   * The position of the latest checkpoint this verifier has seen matched under the key (recorded by
   * `verify --pin-key`, raised by each later one): the checkpoints up to it exist, so a later verify that
   * finds none reaching it has found them removed or truncated, not absent.
   */
  readonly checkpointedThrough?: number;
  /**
   * The chain hash of that checkpoint: what this verifier saw the log say at `checkpointedThrough`. The
   * operator holds the signing key and can re-sign a rewritten log at the same position; the hash the
   * auditor saw, kept outside the operator's reach, catches that too.
   */
  readonly checkpointedHash?: string;
  /**
   * The ledger the key vouches for, whatever its path: the chain hash of its first event (recorded when the
   * pin is made or confirmed). A copy of the store at another path is the same ledger and is held to what was
   * confirmed here; a log rewritten from its first event is another ledger, and pinning the same key for it is refused.
   */
  readonly ledger?: string;
}

interface TrustFileContent {
  readonly version: 1;
  /** A list, not an object keyed by store: store paths are user input (`__proto__` is a valid file name). */
  readonly pins: PinnedKey[];
}

/** A SQLite ledger by the real path of its file (any spelling, any symlink); a server store by its URL without credentials. */
export const storeIdentity = (storeUrl: string): string => {
  if (storeScheme(storeUrl) !== 'sqlite') return storeUrl.replace(/\/\/[^@/]*@/, '//');
  const file = sqlitePath(storeUrl);
  if (file === ':memory:') return 'sqlite::memory:';
  return `sqlite:${existsSync(file) ? realpathSync(file) : file}`;
};

const malformed = (file: string, why: string): DomainError => new DomainError('TRUST.MALFORMED', `The trust file ${file} ${why}`, 'validation');

const isPin = (value: unknown): value is PinnedKey => {
  const p = value as Partial<PinnedKey> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.store === 'string' &&
    typeof p.fingerprint === 'string' &&
    typeof p.publicKey === 'string' &&
    typeof p.pinnedAt === 'string' &&
    (p.checkpointedThrough === undefined || (Number.isSafeInteger(p.checkpointedThrough) && p.checkpointedThrough >= 0)) &&
    (p.checkpointedHash === undefined || (typeof p.checkpointedHash === 'string' && /^[0-9a-f]{64}$/.test(p.checkpointedHash))) &&
    (p.ledger === undefined || (typeof p.ledger === 'string' && /^[0-9a-f]{64}$/.test(p.ledger)))
  );
};

/**
 * Refuses (`TRUST.FILE_UNSAFE`) a trust file others could have edited: a symlink or other non-regular file,
 * another user's, one group or others may write, or one in a directory others may write or another user
 * owns. The pins are what the verdict rests on: whoever rewrites the file can re-pin a key of their own or
 * lower `checkpointedThrough`/change `checkpointedHash`, and a rewritten, re-signed log verifies as anchored.
 */
export const assertTrustFileSafe = (file: string): void => {
  const uid = process.getuid?.();
  const foreign = (owner: number): boolean => uid !== undefined && owner !== uid && owner !== 0;
  const unsafe = (why: string): DomainError =>
    new DomainError('TRUST.FILE_UNSAFE', `The trust file ${file} ${why}: whoever can write it can re-pin a key of their own; keep it private to you (chmod 600, in a directory of mode 700)`, 'conflict', { path: file });
  const dir = statSync(dirname(file), { throwIfNoEntry: false });
  if (dir && ((dir.mode & 0o022) !== 0 || foreign(dir.uid))) throw unsafe(`lies in a directory other users may write (${dirname(file)}, mode ${(dir.mode & 0o7777).toString(8)}${foreign(dir.uid) ? ', another user\'s' : ''})`);
  const stats = lstatSync(file, { throwIfNoEntry: false });
  if (!stats) return;
  if (!stats.isFile()) throw unsafe('is not a regular file (a symlink or other)');
  if (foreign(stats.uid)) throw unsafe('belongs to another user');
  if ((stats.mode & 0o022) !== 0) throw unsafe(`may be written by other users (mode ${(stats.mode & 0o7777).toString(8)})`);
};

export const readTrustFile = (file: string): PinnedKey[] => {
  assertTrustFileSafe(file);
  if (!existsSync(file)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw malformed(file, 'is not JSON');
  }
  const content = parsed as Partial<TrustFileContent> | null;
  if (typeof content !== 'object' || content === null || content.version !== 1 || !Array.isArray(content.pins) || !content.pins.every(isPin)) {
    throw malformed(file, 'is not a trial-ledger trust file (version 1)');
  }
  return content.pins;
};

/**
 * The pin for a store: the one made at its path, else the one made for the same ledger (`ledger`, the chain
 * hash of its first event) at another path — what was confirmed follows the ledger, not the file it sits in.
 * Entries of older trust files carry no ledger and are found by path until confirmed again.
 */
const findPin = (pins: readonly PinnedKey[], storeUrl: string, ledger?: string | null): PinnedKey | undefined =>
  pins.find((p) => p.store === storeIdentity(storeUrl)) ?? (ledger ? pins.find((p) => p.ledger === ledger) : undefined);

/**
 * The key pinned for `storeUrl` (or for the same ledger at another path), checked against its recorded
 * fingerprint (an edited PEM is refused). The confirmation returned is the furthest any pin of that key for
 * that ledger records, so a copy re-pinned elsewhere is held to it too.
 */
export const pinnedKeyFor = (trustFile: string, storeUrl: string, ledger?: string | null): { key: KeyObject; pin: PinnedKey } | null => {
  const pins = readTrustFile(trustFile);
  const found = findPin(pins, storeUrl, ledger);
  if (!found) return null;
  const key = createPublicKey(found.publicKey);
  if (publicKeyFingerprint(key) !== found.fingerprint) throw malformed(trustFile, `holds a key for ${found.store} that does not match its fingerprint`);
  const sameLedger = (p: PinnedKey): boolean => p === found || (p.ledger !== undefined && (p.ledger === ledger || p.ledger === found.ledger));
  const furthest = pins
    .filter((p) => p.fingerprint === found.fingerprint && sameLedger(p) && p.checkpointedHash !== undefined)
    .reduce<PinnedKey>((a, b) => ((b.checkpointedThrough ?? 0) > (a.checkpointedThrough ?? 0) ? b : a), found);
  const pin = furthest === found ? found : { ...found, checkpointedThrough: furthest.checkpointedThrough, checkpointedHash: furthest.checkpointedHash };
  return { key, pin };
};

export interface PinKeyOptions {
  readonly trustFile: string;
  readonly storeUrl: string;
  /** The store's directory: the trust file may not lie in it (whoever writes the data could re-pin). */
  readonly storeDir: string;
  readonly now: string;
  /** The chain hash of the store's first event ({@link PinnedKey.ledger}); null for an empty store. */
  readonly ledger?: string | null;
}

/**
 * Pins `publicKey` for the store. Pinning the same key again is a no-op; pinning another key over an
 * existing pin is refused (a re-signed ledger would otherwise just be re-pinned) — the auditor removes
 * the old pin by hand after a genuine key change. The file is replaced atomically, mode 0600.
 */
export const pinKey = (publicKey: KeyObject, options: PinKeyOptions): { pin: PinnedKey; created: boolean } => {
  const dir = dirname(options.trustFile);
  const realDir = existsSync(dir) ? realpathSync(dir) : dir;
  const realStoreDir = existsSync(options.storeDir) ? realpathSync(options.storeDir) : options.storeDir;
  if (realDir === realStoreDir || isInside(realDir, realStoreDir)) {
    throw new DomainError('TRUST.INSIDE_STORE_DIR', `The trust file ${options.trustFile} lies in the store's directory ${options.storeDir}; keep it elsewhere (TRIAL_LEDGER_TRUST_FILE or --key-dir)`, 'validation');
  }
  const pins = readTrustFile(options.trustFile);
  const store = storeIdentity(options.storeUrl);
  const fingerprint = publicKeyFingerprint(publicKey);
  const existing = findPin(pins, options.storeUrl, options.ledger);
  if (existing && existing.fingerprint === fingerprint) return { pin: existing, created: false };
  // One key pinned for two ledgers would let either stand in for the other: a log rewritten from its first
  // event, copied to a new path and re-signed with the same key, would start again with nothing confirmed.
  const elsewhere = options.ledger ? pins.find((p) => p.fingerprint === fingerprint && p.ledger !== undefined && p.ledger !== options.ledger) : undefined;
  if (!existing && elsewhere) {
    throw new DomainError(
      'TRUST.KEY_OTHER_LEDGER',
      `The key ${fingerprint} is already pinned for another ledger (${elsewhere.store}, first event ${elsewhere.ledger}) since ${elsewhere.pinnedAt}; ${store} starts otherwise — a log rewritten from its first event, or another ledger signed with the same key (give each ledger its own key)`,
      'conflict',
    );
  }
  if (existing) {
    throw new DomainError(
      'TRUST.KEY_CONFLICT',
      `A different key (${existing.fingerprint}) is already pinned for ${store} since ${existing.pinnedAt}; remove that pin from ${options.trustFile} by hand if the key really changed`,
      'conflict',
    );
  }
  const pin: PinnedKey = {
    store,
    fingerprint,
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    pinnedAt: options.now,
    ...(options.ledger ? { ledger: options.ledger } : {}),
  };
  writeTrustFile(options.trustFile, { version: 1, pins: [...pins, pin] });
  return { pin, created: true };
};

/** Replaces the trust file atomically (a new file renamed over it), mode 0600, in a directory of mode 0700. */
const writeTrustFile = (file: string, content: TrustFileContent): void => {
  const dir = dirname(file);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
  const temp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(temp, file);
  } catch (error) {
    if (existsSync(temp)) unlinkSync(temp);
    throw error;
  }
};

/**
 * Raises the pin's `checkpointedThrough` to `position` (never lowers it), with the chain `hash` there: the
 * latest checkpoint a `verify --pin-key` saw matched under the pinned key; records the `ledger` it vouches for
 * (an entry of an older trust file gets it here). Returns the pin as it now stands.
 */
export const recordCheckpointedThrough = (trustFile: string, storeUrl: string, position: number, hash: string, ledger?: string | null): PinnedKey | null => {
  const pins = readTrustFile(trustFile);
  const pin = findPin(pins, storeUrl, ledger);
  const recorded = pin?.checkpointedThrough ?? 0;
  const addsLedger = ledger !== undefined && ledger !== null && pin?.ledger === undefined;
  // A pin confirmed before hashes were recorded gets the hash at its position once, the next time it is confirmed there.
  if (!pin || position < recorded || (position === recorded && pin.checkpointedHash !== undefined && !addsLedger)) return pin ?? null;
  const raised: PinnedKey = {
    ...pin,
    ...(position >= recorded ? { checkpointedThrough: position, checkpointedHash: hash } : {}),
    ...(addsLedger ? { ledger } : {}),
  };
  writeTrustFile(trustFile, { version: 1, pins: pins.map((p) => (p === pin ? raised : p)) });
  return raised;
};
