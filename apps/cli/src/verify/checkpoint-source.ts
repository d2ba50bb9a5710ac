import { existsSync, realpathSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { EventStore } from '@trial-ledger/event-store';
import { assertKeyDirOutsideStore, isInside, ledgerFiles, loadPublicKey, pinnedKeyFor, publicKeyFingerprint, readCheckpointFile, type CheckpointSummary, type SignedCheckpoint } from '@trial-ledger/audit';
import { CliError } from '../shared/cli-errors';

export interface VerifyCommandOptions {
  readonly checkpoints?: string;
  readonly publicKey?: string;
  /** A signed tree head kept earlier: the ledger must extend it (RFC 9162 consistency). */
  readonly since?: string;
}

/**
 * Where the key that vouches for the checkpoints came from: `given` (`--public-key FILE`), `pinned`
 * (the auditor's trust file) or `ledger-key` (the operator's own signing key, found in the key
 * directory — whoever holds it can re-sign a rewritten log, so it proves nothing against its holder).
 */
export type KeyOrigin = 'given' | 'pinned' | 'ledger-key';

/**
 * What a verification result rests on. `anchored` is true only when signed checkpoints were checked
 * under a public key from outside the store's directory that the verifier chose (given on the command
 * line or pinned): then a log recomputed and re-signed with another key cannot pass.
 */
export interface TrustBasis {
  readonly anchored: boolean;
  readonly checkpointFile: string | null;
  readonly checkpointsOutsideStoreDir: boolean;
  readonly publicKey: { readonly origin: KeyOrigin; readonly file: string; readonly fingerprint: string; readonly outsideStoreDir: boolean } | null;
  /** One sentence for the text output. */
  readonly statement: string;
}

export interface CheckpointSource {
  readonly checkpoints: SignedCheckpoint[];
  readonly file: string | null;
  readonly publicKey: KeyObject | null;
  readonly keyFile: string | null;
  readonly trust: TrustBasis;
  /**
   * Under a pinned key, checking the server's checkpoint file: the position of the latest checkpoint matched
   * when this verifier last confirmed the pin (0: none recorded); null otherwise.
   */
  readonly pinnedThrough: number | null;
  /**
   * Under a pinned key: the position and chain hash of the latest checkpoint matched when this verifier last
   * confirmed the pin, whichever checkpoint file is read now — the log must still say that there.
   */
  readonly confirmed: { readonly position: number; readonly hash: string } | null;
}

const real = (file: string): string => (existsSync(file) ? realpathSync(file) : file);
const outside = (file: string, storeDir: string): boolean => !isInside(real(file), real(storeDir));

/**
 * A key the verifier chose (given or pinned) with no checkpoint to check under it: the chain alone is
 * then all that vouches for the log, and deleting the checkpoint file is all it takes to get there after
 * a rewrite — so the verdict says so, in words and as a warning, instead of suggesting a pin that exists.
 */
const withoutCheckpoints = (basis: Omit<TrustBasis, 'statement'>): string | null =>
  basis.publicKey && basis.publicKey.origin !== 'ledger-key'
    ? `no signed checkpoint was found (${basis.checkpointFile ?? 'no checkpoint file'}) to check under the ${basis.publicKey.origin} key ${basis.publicKey.fingerprint}: ` +
      'only the hash chain was verified, which whoever can write the store can recompute; if checkpoints were written, they were removed — verify against your own copy (--checkpoints FILE)'
    : null;

/** The warnings of a trust basis (`CHECKPOINTS.NONE_UNDER_TRUSTED_KEY`), beside the store's own in `verify`'s output. */
export const trustWarnings = (trust: TrustBasis, checkpointCount: number): { code: string; message: string }[] => {
  const missing = checkpointCount === 0 ? withoutCheckpoints(trust) : null;
  return missing ? [{ code: 'CHECKPOINTS.NONE_UNDER_TRUSTED_KEY', message: missing }] : [];
};

const statement = (basis: Omit<TrustBasis, 'statement'>, checkpointCount: number, forged = 0): string => {
  const missing = checkpointCount === 0 ? withoutCheckpoints(basis) : null;
  if (missing) return `Trust basis: the hash chain only (not anchored) — ${missing}.`;
  if (!basis.publicKey || checkpointCount === 0) {
    return 'Trust basis: the hash chain only (not anchored) — whoever can write the store can recompute it; check signed checkpoints under a key you hold (--checkpoints, --public-key or verify --pin-key).';
  }
  const key = `${basis.publicKey.fingerprint} (${basis.publicKey.origin}, ${basis.publicKey.file})`;
  if (forged >= checkpointCount) {
    return (
      `Trust basis: the hash chain only (not anchored) — none of the ${checkpointCount} checkpoint(s) in ${basis.checkpointFile} verifies under the public key ${key}, ` +
      'so none vouches for the log; only the hash chain was verified, which whoever can write the store can recompute.'
    );
  }
  const notVerified = forged > 0 ? `; ${forged} other(s) in the file did not verify under it and vouch for nothing` : '';
  if (basis.anchored) return `Trust basis: anchored — ${checkpointCount - forged} signed checkpoint(s) checked under the public key ${key}, held outside the store's directory${notVerified}.`;
  const why =
    basis.publicKey.origin === 'ledger-key'
      ? "the key is the operator's own signing key, so whoever holds it can re-sign a rewritten log"
      : "the key file lies in the store's directory, where whoever rewrites the log can replace it";
  return `Trust basis: checkpoints under ${key} (not anchored: ${why}); pin the key you received with verify --pin-key FILE.`;
};

/**
 * The trust basis once the checkpoints were checked (`verifyLedger`'s summary): a checkpoint whose signature
 * does not verify under the chosen key (`forged`) anchors nothing, so with none that verifies the log is
 * not anchored, whatever the checkpoint file held. A checkpoint that verifies but no longer matches the
 * log still anchors the verdict: it is what proves the rewrite.
 */
export const checkedTrust = (trust: TrustBasis, checked: CheckpointSummary | null): TrustBasis => {
  if (checked === null || checked.forged === 0) return trust;
  const { statement: _before, ...basis } = trust;
  const settled = { ...basis, anchored: basis.anchored && checked.forged < checked.total };
  return { ...settled, statement: statement(settled, checked.total, checked.forged) };
};

/**
 * Checkpoints and the key that vouches for them: the files named on the command line (a regulator's
 * own copies), else the key pinned in the trust file, else the operator's signing key; the checkpoint
 * file defaults to the server's file beside the store. `ledger` (the chain hash of the store's first event,
 * {@link ledgerIdentity}) finds the pin made for the same ledger at another path.
 */
export const checkpointSource = (storeUrl: string, options: VerifyCommandOptions, keyDir?: string, ledger?: string | null): CheckpointSource => {
  const files = ledgerFiles(storeUrl, { keyDir });
  if (options.publicKey && !existsSync(options.publicKey)) throw new CliError(`No public key at ${options.publicKey}`, 2, 'LEDGER_KEY.MISSING');
  if (options.checkpoints && !existsSync(options.checkpoints)) throw new CliError(`No checkpoint file at ${options.checkpoints}`, 2, 'CHECKPOINT.FILE_MISSING');
  const pinned = options.publicKey ? null : pinnedKeyFor(files.trustFile, storeUrl, ledger);
  let origin: KeyOrigin | null = null;
  let keyFile: string | null = null;
  let publicKey: KeyObject | null = null;
  if (options.publicKey) [origin, keyFile, publicKey] = ['given', options.publicKey, loadPublicKey(options.publicKey)];
  else if (pinned) [origin, keyFile, publicKey] = ['pinned', files.trustFile, pinned.key];
  else if (existsSync(files.keyFile)) {
    // A key in the store's directory proves nothing: whoever rewrote the data could have replaced it too.
    assertKeyDirOutsideStore(files);
    [origin, keyFile, publicKey] = ['ledger-key', files.keyFile, loadPublicKey(files.keyFile)];
  }
  if (options.checkpoints && !publicKey) {
    throw new CliError(`Checkpoints in ${options.checkpoints} need the ledger's public key to be checked: --public-key FILE`, 2, 'LEDGER_KEY.MISSING');
  }
  // The server's own checkpoint file is used only with a key to check it; without one (an auditor's
  // copy of the store, no key pinned yet) the chain alone is verified and the trust basis says so.
  const file = options.checkpoints ?? (publicKey && existsSync(files.checkpointFile) ? files.checkpointFile : null);
  const checkpoints = file ? readCheckpointFile(file) : [];
  const keyInfo =
    origin && keyFile && publicKey
      ? { origin, file: keyFile, fingerprint: pinned?.pin.fingerprint ?? publicKeyFingerprint(publicKey), outsideStoreDir: outside(keyFile, files.storeDir) }
      : null;
  const basis = {
    anchored: checkpoints.length > 0 && keyInfo !== null && keyInfo.origin !== 'ledger-key' && keyInfo.outsideStoreDir,
    checkpointFile: file,
    checkpointsOutsideStoreDir: file !== null && outside(file, files.storeDir),
    publicKey: keyInfo,
  };
  // Only the server's own file must still reach it: a copy given with --checkpoints may be older.
  const pinnedThrough = origin === 'pinned' && !options.checkpoints ? (pinned?.pin.checkpointedThrough ?? 0) : null;
  const pin = origin === 'pinned' ? pinned?.pin : undefined;
  const confirmed = pin?.checkpointedThrough && pin.checkpointedHash ? { position: pin.checkpointedThrough, hash: pin.checkpointedHash } : null;
  return { checkpoints, file, publicKey, keyFile, trust: { ...basis, statement: statement(basis, checkpoints.length) }, pinnedThrough, confirmed };
};

/** The ledger a store holds, whatever its path: the chain hash of its first event (null for an empty store). */
export const ledgerIdentity = async (store: EventStore): Promise<string | null> => {
  for await (const event of store.readAll({ afterPosition: 0, toPosition: 1, batchSize: 1 })) return event.hash;
  return null;
};
