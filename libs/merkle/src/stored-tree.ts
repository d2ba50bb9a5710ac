import { CompactRange, frontierIds, type TreeNode } from './compact-range';
import {
  completeSubtrees,
  consistencyProofRanges,
  foldSubtrees,
  inclusionProofRanges,
  leafHash,
  type LeafRange,
  type NodeId,
} from './rfc9162';

export const nodeKey = (id: NodeId): string => `${id.level}/${id.index}`;

/**
 * Stores keep complete subtrees from this level up (16 leaves and more); lower nodes are folded from
 * the events' hashes when read (at most 16 contiguous hashes, one range read). Storing every level
 * would write about one row per event; this writes one per 16, which keeps tree maintenance a small
 * fraction of the append (as Trillian's strata and Tessera's tiles do).
 */
export const STORED_FROM_LEVEL = 4;

/**
 * Where a store keeps its tree: the hashes of complete subtrees, looked up in one batch. A store may
 * derive level 0 from its events (leaf = SHA-256(0x00 ‖ event hash)) instead of storing it twice.
 */
export interface TreeNodeSource {
  /** The hashes of the given nodes that exist, keyed by `nodeKey`. */
  treeNodes(ids: readonly NodeId[]): Promise<Map<string, Buffer>>;
}

export class MissingTreeNodeError extends Error {
  constructor(readonly node: NodeId) {
    super(`The stored Merkle tree lacks node ${nodeKey(node)} (level ${node.level}, index ${node.index})`);
  }
}

/** The leaf input is the event's chained hash: 32 bytes that commit to its canonical bytes and to the whole prefix. */
export const eventLeafHash = (eventHashHex: string): Buffer => leafHash(Buffer.from(eventHashHex, 'hex'));

/** The hashes of the given ranges, fetched in a single round trip of O(log n) nodes. */
const rangeHashes = async (source: TreeNodeSource, ranges: readonly LeafRange[]): Promise<Buffer[]> => {
  const parts = ranges.map(completeSubtrees);
  const stored = await source.treeNodes(parts.flat());
  return parts.map((ids) =>
    foldSubtrees(
      ids.map((id) => {
        const hash = stored.get(nodeKey(id));
        if (!hash) throw new MissingTreeNodeError(id);
        return hash;
      }),
    ),
  );
};

export const storedRoot = async (source: TreeNodeSource, size: number): Promise<Buffer> =>
  (await rangeHashes(source, [{ start: 0, end: size }]))[0];

export const storedInclusionProof = (source: TreeNodeSource, index: number, size: number): Promise<Buffer[]> =>
  rangeHashes(source, inclusionProofRanges(index, size));

export const storedConsistencyProof = (source: TreeNodeSource, from: number, to: number): Promise<Buffer[]> =>
  rangeHashes(source, consistencyProofRanges(from, to));

/** Loads the compact range of a stored tree of `size` leaves (to extend it at the next append). */
export const loadCompactRange = async (source: TreeNodeSource, size: number): Promise<CompactRange> => {
  const ids = frontierIds(size);
  const stored = await source.treeNodes(ids);
  return CompactRange.of(
    size,
    ids.map((id): TreeNode => {
      const hash = stored.get(nodeKey(id));
      if (!hash) throw new MissingTreeNodeError(id);
      return { ...id, hash };
    }),
  );
};

/** A stored node that differs from the one recomputed from the events (or is missing). */
export interface TreeFault {
  readonly level: number;
  readonly index: number;
  /** Hex of the hash recomputed from the events. */
  readonly expected: string;
  /** Hex of the stored hash, or null when the node is missing. */
  readonly stored: string | null;
  readonly message: string;
}

export interface TreeVerification {
  readonly ok: boolean;
  readonly size: number;
  readonly root: string;
  readonly fault: TreeFault | null;
}

/**
 * Recomputes the tree from the events' hashes, in global order, and compares every stored node
 * (level ≥ STORED_FROM_LEVEL) with it, a batch at a time: the first differing node is named.
 */
export const verifyStoredTree = async (
  eventHashes: AsyncIterable<string>,
  source: TreeNodeSource,
  batchSize = 2048,
): Promise<TreeVerification> => {
  const range = CompactRange.empty();
  let pending: TreeNode[] = [];
  const compare = async (): Promise<TreeFault | null> => {
    const stored = await source.treeNodes(pending);
    for (const node of pending) {
      const hash = stored.get(nodeKey(node)) ?? null;
      if (hash === null || !hash.equals(node.hash)) {
        const where = `level ${node.level}, index ${node.index}`;
        return {
          level: node.level,
          index: node.index,
          expected: node.hash.toString('hex'),
          stored: hash?.toString('hex') ?? null,
          message: hash === null ? `Merkle node ${where} is missing` : `Merkle node ${where} does not match the events it covers`,
        };
      }
    }
    pending = [];
    return null;
  };
  const done = (fault: TreeFault | null): TreeVerification => ({ ok: fault === null, size: range.size, root: range.root().toString('hex'), fault });
  for await (const hash of eventHashes) {
    pending.push(...range.append(eventLeafHash(hash)).filter((node) => node.level >= STORED_FROM_LEVEL));
    if (pending.length >= batchSize) {
      const fault = await compare();
      if (fault) return done(fault);
    }
  }
  return done(await compare());
};
