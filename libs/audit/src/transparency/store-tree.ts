import { DomainError } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import { CompactRange, loadCompactRange, verifyStoredTree, type TreeNodeSource, type TreeVerification } from '@trial-ledger/merkle';

/** The store's RFC 9162 tree, or a refusal for a store that keeps none. */
export const storeTree = (store: EventStore): TreeNodeSource => {
  const treeNodes = store.treeNodes?.bind(store);
  if (!treeNodes) throw new DomainError('PROOF.NO_TREE', `${store.description} keeps no Merkle tree, so it cannot answer proofs`, 'conflict');
  return { treeNodes };
};

/**
 * The compact range of the first `size` events, read from the stored frontier and, when a signed root
 * for that size is known, checked against it: the frontier folds to the root, so nodes that pass
 * cannot have been altered (short of a SHA-256 collision).
 */
export const trustedRangeAt = async (store: EventStore, size: number, signedRoot?: string): Promise<CompactRange> => {
  if (size === 0) return CompactRange.empty();
  // A log that ends before the signed size was cut back (its last events deleted): said so, rather than
  // as the stored tree's missing node that loading it would stumble on.
  const head = (await store.head()).position;
  if (head < size) {
    throw new DomainError(
      'LEDGER.TAMPERED',
      `The log ends at position ${head} but a signed checkpoint vouches for position ${size}: events ${head + 1}–${size} are missing; run verify`,
      'conflict',
      { position: head + 1, damage: 'truncated' },
    );
  }
  const range = await loadCompactRange(storeTree(store), size);
  if (signedRoot !== undefined && range.root().toString('base64') !== signedRoot) {
    throw new DomainError('LEDGER.TAMPERED', `The stored Merkle tree of ${size} events no longer has the root its signed checkpoint names; run verify`, 'conflict', {
      position: size,
    });
  }
  return range;
};

/**
 * `verify`'s tree check: recomputes the tree from the events' hashes and compares every stored node,
 * naming the first that differs (a node rewritten behind the store's back, or events rehashed under it).
 */
export const verifyTree = async (store: EventStore): Promise<TreeVerification> => {
  const tree = storeTree(store);
  async function* hashes(): AsyncIterable<string> {
    for await (const event of store.readAll({ batchSize: 2000 })) yield event.hash;
  }
  return verifyStoredTree(hashes(), tree);
};
