import { sign, verify, type KeyObject } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { canonicalize } from 'json-canonicalize';
import { DomainError } from '@trial-ledger/domain';
import type { LedgerSigningKey } from './ledger-key';
import { publicKeyFingerprint } from './ledger-key';

/**
 * A signed statement "the log had `hash` at `position` at `time`" (SPEC §4). Kept by monitors and
 * regulators outside the ledger, it turns the hash chain's tamper *evidence* into proof: a rewritten
 * prefix or a truncated tail no longer matches a signature the attacker cannot forge.
 */
export interface SignedCheckpoint {
  readonly position: number;
  readonly hash: string;
  /** Server UTC instant of signing. */
  readonly time: string;
  readonly publicKeyFingerprint: string;
  /** Base64 Ed25519 signature over the RFC 8785 canonical JSON of the four fields above. */
  readonly signature: string;
}

export type UnsignedCheckpoint = Omit<SignedCheckpoint, 'signature'>;

const signedBytes = (checkpoint: UnsignedCheckpoint): Buffer =>
  Buffer.from(
    canonicalize({
      position: checkpoint.position,
      hash: checkpoint.hash,
      time: checkpoint.time,
      publicKeyFingerprint: checkpoint.publicKeyFingerprint,
    }),
    'utf8',
  );

export const signCheckpoint = (key: LedgerSigningKey, head: { position: number; hash: string }, time: string): SignedCheckpoint => {
  const unsigned: UnsignedCheckpoint = { position: head.position, hash: head.hash, time, publicKeyFingerprint: key.fingerprint };
  return { ...unsigned, signature: sign(null, signedBytes(unsigned), key.privateKey).toString('base64') };
};

export type CheckpointSignatureCheck = 'valid' | 'unknown-key' | 'bad-signature';

/** Checks a checkpoint against the public key the verifier trusts (never one taken from the checkpoint). */
export const checkCheckpointSignature = (checkpoint: SignedCheckpoint, publicKey: KeyObject): CheckpointSignatureCheck => {
  if (checkpoint.publicKeyFingerprint !== publicKeyFingerprint(publicKey)) return 'unknown-key';
  try {
    return verify(null, signedBytes(checkpoint), publicKey, Buffer.from(checkpoint.signature, 'base64')) ? 'valid' : 'bad-signature';
  } catch {
    return 'bad-signature';
  }
};

const isCheckpoint = (value: unknown): value is SignedCheckpoint => {
  const c = value as Partial<SignedCheckpoint> | null;
  return (
    typeof c === 'object' && c !== null &&
    Number.isSafeInteger(c.position) && (c.position as number) >= 0 &&
    typeof c.hash === 'string' && typeof c.time === 'string' &&
    typeof c.publicKeyFingerprint === 'string' && typeof c.signature === 'string'
  );
};

/** Parses a checkpoint file: JSON lines, one checkpoint per line, blank lines ignored. */
export const parseCheckpoints = (text: string, source = 'checkpoint file'): SignedCheckpoint[] => {
  const checkpoints: SignedCheckpoint[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new DomainError('CHECKPOINT.MALFORMED', `${source} line ${index + 1} is not JSON`, 'validation', { line: index + 1 });
    }
    if (!isCheckpoint(parsed)) {
      throw new DomainError('CHECKPOINT.MALFORMED', `${source} line ${index + 1} is not a signed checkpoint`, 'validation', { line: index + 1 });
    }
    checkpoints.push(parsed);
  });
  return checkpoints;
};

export const readCheckpointFile = (file: string): SignedCheckpoint[] => {
  if (!existsSync(file)) throw new DomainError('CHECKPOINT.FILE_MISSING', `No checkpoint file at ${file}`, 'not-found');
  return parseCheckpoints(readFileSync(file, 'utf8'), file);
};

/** Appends one line; the file is append-only by convention and by use (`>>`-style writes only). */
export const appendCheckpoint = (file: string, checkpoint: SignedCheckpoint): void => {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify(checkpoint)}\n`, { encoding: 'utf8', mode: 0o600 });
};
