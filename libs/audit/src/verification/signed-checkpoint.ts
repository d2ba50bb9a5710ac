import { sign, verify, type KeyObject } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, ftruncateSync, lstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { canonicalize } from 'json-canonicalize';
import { DomainError } from '@trial-ledger/domain';
import { checkTreeHeadSignature, ledgerOrigin, parseTreeHead, signTreeHead } from '@trial-ledger/merkle';
import { readRegularFile } from '../shared/regular-file';
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
  /** The signing key: `sha256:…` of its SPKI (JSON checkpoints), or `origin+keyID` (signed tree heads). */
  readonly publicKeyFingerprint: string;
  /** Base64 Ed25519 signature: over the RFC 8785 canonical JSON of the four fields above, or over the tree head's note. */
  readonly signature: string;
  /**
   * Present on signed tree heads (C2SP tlog-checkpoint note, RFC 9162 root): the note is what was
   * signed, and every other field was read from it. Checkpoints written before the Merkle tree
   * existed have none and stay readable.
   */
  readonly treeHead?: TreeHeadFields;
}

export interface TreeHeadFields {
  readonly note: string;
  readonly origin: string;
  readonly treeSize: number;
  /** Base64 RFC 9162 root hash of the first `treeSize` events. */
  readonly rootHash: string;
}

export type UnsignedCheckpoint = Omit<SignedCheckpoint, 'signature' | 'treeHead'>;

/** A checkpoint from a signed tree head's note (not yet checked): every field is read from the note, never beside it. */
export const checkpointFromNote = (note: string): SignedCheckpoint => {
  const { keyName, keyId, origin, treeSize, rootHash, time, chainHash, signature } = parseTreeHead(note);
  return {
    position: treeSize,
    hash: chainHash,
    time,
    publicKeyFingerprint: `${keyName}+${keyId}`,
    signature: signature.toString('base64'),
    treeHead: { note, origin, treeSize, rootHash },
  };
};

/** Signs the head `position`/`hash` with the RFC 9162 root of the first `position` events as a C2SP checkpoint. */
export const signTreeHeadCheckpoint = (key: LedgerSigningKey, head: { position: number; hash: string; root: Buffer }, time: string): SignedCheckpoint =>
  checkpointFromNote(
    signTreeHead(
      { origin: ledgerOrigin(key.fingerprint), treeSize: head.position, rootHash: head.root.toString('base64'), time, chainHash: head.hash },
      key.privateKey,
      key.publicKey,
    ).note,
  );

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
  if (checkpoint.treeHead) {
    // The fields beside the note must be the note's: a verifier acts on them.
    const fromNote = checkpointFromNote(checkpoint.treeHead.note);
    const same =
      fromNote.position === checkpoint.position && fromNote.hash === checkpoint.hash && fromNote.time === checkpoint.time &&
      fromNote.treeHead?.rootHash === checkpoint.treeHead.rootHash && fromNote.treeHead?.treeSize === checkpoint.treeHead.treeSize;
    return same ? checkTreeHeadSignature(checkpoint.treeHead.note, publicKey) : 'bad-signature';
  }
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

/**
 * Parses a checkpoint file: JSON lines, one checkpoint per line, blank lines ignored. A line is a
 * signed tree head `{"note": "…"}` or (written before the Merkle tree) a JSON checkpoint.
 */
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
    const note = (parsed as { note?: unknown } | null)?.note;
    if (typeof note === 'string') {
      try {
        checkpoints.push(checkpointFromNote(note));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new DomainError('CHECKPOINT.MALFORMED', `${source} line ${index + 1}: ${reason}`, 'validation', { line: index + 1 });
      }
      return;
    }
    if (!isCheckpoint(parsed)) {
      throw new DomainError('CHECKPOINT.MALFORMED', `${source} line ${index + 1} is not a signed checkpoint`, 'validation', { line: index + 1 });
    }
    checkpoints.push(parsed);
  });
  return checkpoints;
};

/** Checkpoint files grow by one short line per checkpoint; anything far larger is not one. */
export const MAX_CHECKPOINT_FILE_BYTES = 256 * 1024 * 1024;

export const readCheckpointFile = (file: string): SignedCheckpoint[] => {
  if (!existsSync(file)) throw new DomainError('CHECKPOINT.FILE_MISSING', `No checkpoint file at ${file}`, 'not-found');
  return parseCheckpoints(readRegularFile(file, MAX_CHECKPOINT_FILE_BYTES, 'CHECKPOINT.MALFORMED', 'a checkpoint file').toString('utf8'), file);
};

const unsafeCheckpointFile = (file: string): DomainError =>
  new DomainError('CHECKPOINT.FILE_UNSAFE', `${file} is not a regular file (a symlink or other): checkpoints are not written through it; remove it and start again`, 'conflict', { path: file });

/**
 * Refuses a checkpoint file that exists as a symlink or anything but a regular file. Whoever can write
 * the store's directory could otherwise plant `LEDGER.checkpoints.jsonl -> elsewhere` and have the
 * server append signed lines to (or create) a file of their choosing — the ledger's own WAL among them.
 */
export const assertCheckpointFileSafe = (file: string): void => {
  let stats;
  try {
    stats = lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!stats.isFile()) throw unsafeCheckpointFile(file);
};

/**
 * Appends one line; the file is append-only by convention and by use (`>>`-style writes only). Opened
 * without following a symlink (O_NOFOLLOW) and without waiting for a FIFO's reader (O_NONBLOCK), and
 * written only once it is seen to be a regular file, so a file swapped in after a check is not written through.
 */
export const appendCheckpoint = (file: string, checkpoint: SignedCheckpoint): void => {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const line = checkpoint.treeHead ? { note: checkpoint.treeHead.note } : checkpoint;
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENXIO' || code === 'EISDIR') throw unsafeCheckpointFile(file);
    throw error;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw unsafeCheckpointFile(file);
    writeWholeLine(fd, Buffer.from(`${JSON.stringify(line)}\n`, 'utf8'), stats.size);
  } finally {
    closeSync(fd);
  }
};

/**
 * The whole line or nothing: on a disk that fills, a write can take part of the line and fail on the
 * rest; the part is cut off again, so the file never holds a torn line (which the next start would
 * refuse as CHECKPOINT.MALFORMED, and every line appended after it would be glued to).
 */
const writeWholeLine = (fd: number, bytes: Buffer, sizeBefore: number): void => {
  try {
    for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written);
  } catch (error) {
    ftruncateSync(fd, sizeBefore);
    throw error;
  }
};
