import { DomainError } from '@trial-ledger/domain';
import { hashEvent, type EventStore, type StoredEvent } from '@trial-ledger/event-store';
import {
  eventLeafHash,
  storedConsistencyProof,
  storedInclusionProof,
  storedRoot,
  verifyConsistency,
  verifyInclusion,
} from '@trial-ledger/merkle';
import type { SignedCheckpoint } from '../verification/signed-checkpoint';
import { redactedData } from '../trail/redaction';
import { storeTree } from './store-tree';

export const INCLUSION_PROOF_FORMAT = 'trial-ledger/inclusion-proof/v1';
export const CONSISTENCY_PROOF_FORMAT = 'trial-ledger/consistency-proof/v1';

/**
 * "This event is entry `leafIndex` of the log whose first `treeSize` entries the signed tree head
 * commits to." Self-contained: a third party checks it with the ledger's public key alone.
 */
export interface InclusionProofDocument {
  readonly format: typeof INCLUSION_PROOF_FORMAT;
  /**
   * The event as stored; its chained hash is the leaf's input, and is recomputed from these fields —
   * unless `redacted`: secrets (password hashes) never leave the server (Part 11 §11.300), so such an
   * event's data is shown redacted and only its hash is proved.
   */
  readonly event: StoredEvent;
  readonly redacted: boolean;
  readonly leafIndex: number;
  readonly treeSize: number;
  /** Base64 SHA-256(0x00 ‖ event hash). */
  readonly leafHash: string;
  /** Base64 RFC 9162 inclusion path, nearest the leaf first. */
  readonly proof: readonly string[];
  /** The signed tree head (C2SP checkpoint note) of `treeSize`. */
  readonly checkpoint: string;
}

/** "The log of the later signed tree head extends the earlier one, rewriting nothing." */
export interface ConsistencyProofDocument {
  readonly format: typeof CONSISTENCY_PROOF_FORMAT;
  readonly fromSize: number;
  readonly toSize: number;
  /** Base64 RFC 9162 consistency proof. */
  readonly proof: readonly string[];
  /** The two signed tree heads (C2SP checkpoint notes). */
  readonly from: string;
  readonly to: string;
}

/** Which event a proof is about: by id, or by global position. */
export type EventSelector = { readonly eventId: string } | { readonly position: number };

const treeHeadOf = (checkpoint: SignedCheckpoint, role: string): { note: string; treeSize: number; rootHash: string } => {
  if (!checkpoint.treeHead) {
    throw new DomainError('PROOF.NOT_A_TREE_HEAD', `The ${role} checkpoint was written before the Merkle tree (no root hash): sign a new one`, 'validation');
  }
  return checkpoint.treeHead;
};

const readEvent = async (store: EventStore, selector: EventSelector): Promise<StoredEvent> => {
  let event: StoredEvent | null = null;
  if ('eventId' in selector) event = await store.getEvent(selector.eventId);
  else if (Number.isSafeInteger(selector.position) && selector.position >= 1) {
    for await (const e of store.readAll({ afterPosition: selector.position - 1, toPosition: selector.position })) event = e;
  } else {
    throw new DomainError('PROOF.INVALID_POSITION', 'A position is a whole number from 1', 'validation');
  }
  if (!event) throw new DomainError('PROOF.EVENT_NOT_FOUND', 'No such event in the ledger', 'not-found');
  // The chain and its tree start at position 1: a row below it was planted beside them (verify names it).
  if (!Number.isSafeInteger(event.globalPosition) || event.globalPosition < 1) {
    throw new DomainError('LEDGER.TAMPERED', `The event ${event.eventId} is stored at position ${event.globalPosition}, outside the chain, which starts at 1: it was planted; run verify`, 'conflict', {
      position: event.globalPosition,
    });
  }
  return event;
};

/** The plain proof a store answers for one event against its tree of `treeSize` (default: the head). */
export interface InclusionAnswer {
  readonly event: StoredEvent;
  readonly redacted: boolean;
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly leafHash: string;
  readonly proof: string[];
}

export const answerInclusion = async (store: EventStore, selector: EventSelector, treeSize?: number): Promise<InclusionAnswer> => {
  const tree = storeTree(store);
  const event = await readEvent(store, selector);
  const size = treeSize ?? (await store.head()).position;
  if (!Number.isSafeInteger(size) || size < event.globalPosition) {
    throw new DomainError('PROOF.NOT_IN_TREE', `The event at position ${event.globalPosition} is not among the first ${size} events`, 'validation', {
      position: event.globalPosition,
      treeSize: size,
    });
  }
  await assertWithinHead(store, size);
  const [proof, root] = await Promise.all([storedInclusionProof(tree, event.globalPosition - 1, size), storedRoot(tree, size)]);
  const data = redactedData(event);
  const redacted = JSON.stringify(data) !== JSON.stringify(event.data);
  return {
    event: redacted ? { ...event, data } : event,
    redacted,
    leafIndex: event.globalPosition - 1,
    treeSize: size,
    rootHash: root.toString('base64'),
    leafHash: eventLeafHash(event.hash).toString('base64'),
    proof: proof.map((p) => p.toString('base64')),
  };
};

/**
 * A signed tree head vouches for its first `treeSize` events: a ledger holding fewer was cut back after
 * it was signed (its last events deleted) — the damage the head exists to reveal, not a size asked amiss.
 */
const assertNotCutBelow = async (store: EventStore, head: { readonly treeSize: number }): Promise<void> => {
  const position = (await store.head()).position;
  if (position < head.treeSize) {
    throw new DomainError(
      'LEDGER.TAMPERED',
      `The log ends at position ${position} but a signed tree head vouches for ${head.treeSize} events: events ${position + 1}–${head.treeSize} are missing; run verify`,
      'conflict',
      { position: position + 1, damage: 'truncated', treeSize: head.treeSize },
    );
  }
};

const assertWithinHead = async (store: EventStore, size: number): Promise<void> => {
  const head = (await store.head()).position;
  if (size > head) throw new DomainError('PROOF.BEYOND_HEAD', `The ledger holds ${head} events, fewer than ${size}`, 'validation', { head, treeSize: size });
};

/**
 * An inclusion proof against a signed tree head. It is checked before it is handed out: if the event
 * or the stored tree changed since the head was signed, the proof cannot verify and this refuses with
 * `LEDGER.TAMPERED` — the damage the proof exists to reveal.
 */
export const proveInclusion = async (store: EventStore, selector: EventSelector, checkpoint: SignedCheckpoint): Promise<InclusionProofDocument> => {
  const head = treeHeadOf(checkpoint, 'given');
  await assertNotCutBelow(store, head);
  const answer = await answerInclusion(store, selector, head.treeSize);
  const document: InclusionProofDocument = {
    format: INCLUSION_PROOF_FORMAT,
    event: answer.event,
    redacted: answer.redacted,
    leafIndex: answer.leafIndex,
    treeSize: answer.treeSize,
    leafHash: answer.leafHash,
    proof: answer.proof,
    checkpoint: head.note,
  };
  const intact = answer.redacted || hashEvent(answer.event) === answer.event.hash;
  const included = verifyInclusion(answer.leafIndex, head.treeSize, Buffer.from(answer.leafHash, 'base64'), answer.proof.map(b64), b64(head.rootHash));
  if (!intact || !included) {
    throw new DomainError(
      'LEDGER.TAMPERED',
      `The event at position ${answer.event.globalPosition} is not included in the signed tree head of ${head.treeSize} events: ` +
        (intact ? 'the stored tree or an earlier event changed since it was signed' : 'its content no longer matches its hash'),
      'conflict',
      { position: answer.event.globalPosition, treeSize: head.treeSize },
    );
  }
  return document;
};

/** A consistency proof between two tree sizes of the store, with their roots (unsigned). */
export const answerConsistency = async (store: EventStore, fromSize: number, toSize: number): Promise<{ fromRoot: string; toRoot: string; proof: string[] }> => {
  if (!Number.isSafeInteger(fromSize) || !Number.isSafeInteger(toSize) || fromSize < 1 || fromSize > toSize) {
    throw new DomainError('PROOF.INVALID_RANGE', 'A consistency proof needs 1 ≤ from ≤ to (tree sizes)', 'validation', { from: fromSize, to: toSize });
  }
  await assertWithinHead(store, toSize);
  const tree = storeTree(store);
  const [proof, fromRoot, toRoot] = await Promise.all([storedConsistencyProof(tree, fromSize, toSize), storedRoot(tree, fromSize), storedRoot(tree, toSize)]);
  return { fromRoot: fromRoot.toString('base64'), toRoot: toRoot.toString('base64'), proof: proof.map((p) => p.toString('base64')) };
};

/**
 * A consistency proof between two signed tree heads, and whether it verifies. It is returned even
 * when it does not: with both heads it is the evidence that the log was rewritten in between.
 */
export const proveConsistency = async (
  store: EventStore,
  from: SignedCheckpoint,
  to: SignedCheckpoint,
): Promise<{ document: ConsistencyProofDocument; consistent: boolean }> => {
  const a = treeHeadOf(from, 'earlier');
  const b = treeHeadOf(to, 'later');
  await assertNotCutBelow(store, b);
  const { proof } = await answerConsistency(store, a.treeSize, b.treeSize);
  const document: ConsistencyProofDocument = {
    format: CONSISTENCY_PROOF_FORMAT,
    fromSize: a.treeSize,
    toSize: b.treeSize,
    proof,
    from: a.note,
    to: b.note,
  };
  return { document, consistent: verifyConsistency(a.treeSize, b.treeSize, b64(a.rootHash), b64(b.rootHash), proof.map(b64)) };
};

const b64 = (value: string): Buffer => Buffer.from(value, 'base64');
