import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { DomainError } from '@trial-ledger/domain';
import { GENESIS_HASH, systemClock, type Clock, type EventStore } from '@trial-ledger/event-store';
import { eventLeafHash, storedConsistencyProof, storedInclusionProof, storedRoot, verifyConsistency, verifyInclusion, type TreeNodeSource } from '@trial-ledger/merkle';
import { readRegularFile } from '../shared/regular-file';
import type { LedgerSigningKey } from '../verification/ledger-key';
import {
  checkCheckpointSignature,
  checkpointFromNote,
  parseCheckpoints,
  signTreeHeadCheckpoint,
  type SignedCheckpoint,
} from '../verification/signed-checkpoint';
import { storeTree } from './store-tree';

/** A kept tree head is a few lines; a file of many is still far below this. */
const MAX_CHECKPOINT_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Reads the signed tree heads a party kept: a checkpoint file (JSON lines, as the server writes it)
 * or a single C2SP checkpoint note as text. Checkpoints from before the Merkle tree are skipped.
 */
export const readTreeHeads = (file: string): SignedCheckpoint[] => {
  if (!existsSync(file)) throw new DomainError('CHECKPOINT.FILE_MISSING', `No checkpoint file at ${file}`, 'not-found');
  const text = readRegularFile(file, MAX_CHECKPOINT_FILE_BYTES, 'CHECKPOINT.MALFORMED', 'a checkpoint file').toString('utf8');
  const checkpoints = text.trimStart().startsWith('{') ? parseCheckpoints(text, file) : [checkpointFromNote(text)];
  return checkpoints.filter((c) => c.treeHead !== undefined);
};

/**
 * The latest tree head in `checkpoints` that verifies under the trusted key (and covers at least
 * `minSize` events); forged or foreign ones are never used.
 */
export const latestTreeHead = (checkpoints: readonly SignedCheckpoint[], publicKey: KeyObject, minSize = 0): SignedCheckpoint => {
  const valid = checkpoints.filter((c) => c.treeHead && checkCheckpointSignature(c, publicKey) === 'valid');
  if (valid.length === 0) {
    throw new DomainError('CHECKPOINT.NONE_VALID', 'No signed tree head there verifies with the trusted ledger key', 'validation', { total: checkpoints.length });
  }
  const latest = valid.reduce((a, b) => (b.position >= a.position ? b : a));
  if (latest.position < minSize) {
    throw new DomainError('PROOF.NOT_IN_TREE', `The latest signed tree head covers ${latest.position} events, not position ${minSize}`, 'validation', {
      treeSize: latest.position,
    });
  }
  return latest;
};

/**
 * Refuses (`LEDGER.TAMPERED`) a tree of `size` that the stored nodes cannot prove to be a prefix of (or
 * an extension of) the tree `anchor` signed, or whose last leaf is not the event hash read at `size`:
 * a head signed now must never bless a log rewritten behind the store's back. O(log n) reads.
 */
const assertWithinSignedTree = async (tree: TreeNodeSource, size: number, root: Buffer, hash: string, anchor: SignedCheckpoint): Promise<void> => {
  const signedRoot = Buffer.from(anchor.treeHead?.rootHash ?? '', 'base64');
  const [from, to, fromRoot, toRoot] = size <= anchor.position ? [size, anchor.position, root, signedRoot] : [anchor.position, size, signedRoot, root];
  const consistent = from === to ? fromRoot.equals(toRoot) : verifyConsistency(from, to, fromRoot, toRoot, await storedConsistencyProof(tree, from, to));
  const lastLeaf = verifyInclusion(size - 1, size, eventLeafHash(hash), await storedInclusionProof(tree, size - 1, size), root);
  if (!consistent || !lastLeaf) {
    throw new DomainError('LEDGER.TAMPERED', `Refusing to sign a tree head of ${size} events: the stored tree ${consistent ? 'does not hold the event at that position' : `does not agree with the checkpoint signed at ${anchor.position} events`}; run verify`, 'conflict', {
      treeSize: size,
      checkpointSize: anchor.position,
    });
  }
};

/**
 * The log's signed statement about its tree at an earlier `size` (as RFC 9162 logs sign any tree
 * head asked for): the stored root and the chain hash at that position, signed now. Not appended to
 * the checkpoint file, which records heads as they were reached. A party holding another head for
 * the same size that differs has the log's two signatures as evidence. With `anchor` (a signed tree
 * head of this log, such as the one `createCheckpoint` just verified and signed) the stored tree must
 * first prove consistent with it, so nothing rewritten after that head was signed is signed again.
 */
export const signTreeHeadAt = async (
  store: EventStore,
  key: LedgerSigningKey,
  size: number,
  options: { readonly anchor?: SignedCheckpoint | null; readonly clock?: Clock } = {},
): Promise<SignedCheckpoint> => {
  const head = await store.head();
  if (!Number.isSafeInteger(size) || size < 1 || size > head.position) {
    throw new DomainError('PROOF.INVALID_RANGE', `A tree size is a whole number from 1 to the ledger's ${head.position} events`, 'validation', { size });
  }
  let hash = GENESIS_HASH;
  for await (const event of store.readAll({ afterPosition: size - 1, toPosition: size })) hash = event.hash;
  const tree = storeTree(store);
  const root = await storedRoot(tree, size);
  if (options.anchor?.treeHead) await assertWithinSignedTree(tree, size, root, hash, options.anchor);
  return signTreeHeadCheckpoint(key, { position: size, hash, root }, (options.clock ?? systemClock).now());
};
