import type { StoredEvent } from '../event-envelope';
import { CompactRange, eventLeafHash, frontierIds, nodeKey, rangeRoot, STORED_FROM_LEVEL, type NodeId, type TreeNode } from '@trial-ledger/merkle';

/** An appended event as the tree needs it: the head it extends is (position − 1, prevHash). */
export type ChainedRow = Pick<StoredEvent, 'globalPosition' | 'prevHash' | 'hash'>;

const headOf = (rows: readonly ChainedRow[]): { position: number; hash: string } => ({ position: rows[0].globalPosition - 1, hash: rows[0].prevHash });

/** What an append adds to the stored tree: the complete subtrees it completed, from STORED_FROM_LEVEL up. */
export interface TreeExtension {
  readonly nodes: readonly TreeNode[];
  /** Call once the transaction committed: the next append then starts from this range without a read. */
  readonly keep: () => void;
}

/**
 * The RFC 9162 tree over the global log, maintained at append time in the same transaction as the
 * events (one per store). Each store keeps the hashes of complete subtrees of level ≥ STORED_FROM_LEVEL
 * in a `merkle_nodes` table keyed by (level, index); lower ones are folded from the events' own
 * chained hashes when read (`derivedNodes`). The compact range of the head is kept in memory between appends and checked
 * against the head read inside the transaction (position and chain hash), so another writer's append
 * is never missed: on a mismatch the range is reloaded from the O(log n) frontier nodes. Keeping a
 * range whose transaction then rolled back is harmless: the chain hash at a position commits to every
 * event before it, so whenever the log's head is (position, hash) again, the range is that same range.
 */
export class TreeFrontier {
  private kept: { range: CompactRange; headHash: string } | null = null;

  /** The frontier nodes to read when the kept range is not that of the head the rows extend; empty when it is. */
  idsToLoad(rows: readonly ChainedRow[]): NodeId[] {
    const head = headOf(rows);
    return this.isKept(head) ? [] : frontierIds(head.position);
  }

  /**
   * Extends the head's range with the appended events (at least one, in order). `loaded` holds the nodes named by
   * `idsToLoad` (level 0 from the events table), unless the kept range was still the head's.
   */
  extend(rows: readonly ChainedRow[], loaded?: ReadonlyMap<string, Buffer>): TreeExtension {
    const head = headOf(rows);
    const range = this.isKept(head) ? (this.kept as { range: CompactRange }).range.clone() : this.load(head.position, loaded ?? new Map());
    const nodes: TreeNode[] = [];
    for (const row of rows) {
      if (row.globalPosition !== range.size + 1) throw new Error(`Merkle tree of ${range.size} leaves cannot take position ${row.globalPosition}`);
      for (const node of range.append(eventLeafHash(row.hash))) if (node.level >= STORED_FROM_LEVEL) nodes.push(node);
    }
    const headHash = rows[rows.length - 1].hash;
    return { nodes, keep: () => (this.kept = { range, headHash }) };
  }

  private isKept(head: { position: number; hash: string }): boolean {
    return this.kept !== null && this.kept.range.size === head.position && this.kept.headHash === head.hash;
  }

  private load(size: number, loaded: ReadonlyMap<string, Buffer>): CompactRange {
    return CompactRange.of(
      size,
      frontierIds(size).map((id) => {
        const hash = loaded.get(nodeKey(id));
        if (!hash) throw new Error(`The stored Merkle tree lacks frontier node ${nodeKey(id)}: run verify`);
        return { ...id, hash };
      }),
    );
  }
}

/** Which ids a store reads from `merkle_nodes`, and which it folds from its events' hashes. */
export const splitStoredIds = (ids: readonly NodeId[]): { derived: NodeId[]; stored: NodeId[] } => ({
  derived: ids.filter((id) => id.level < STORED_FROM_LEVEL),
  stored: ids.filter((id) => id.level >= STORED_FROM_LEVEL),
});

/** The global positions (1-based) of the events under low nodes: leaves index·2^level … (index+1)·2^level − 1. */
export const positionsUnder = (ids: readonly NodeId[]): number[] => {
  const positions = new Set<number>();
  for (const id of ids) {
    const width = 2 ** id.level;
    for (let leaf = id.index * width; leaf < (id.index + 1) * width; leaf += 1) positions.add(leaf + 1);
  }
  return [...positions].sort((a, b) => a - b);
};

/** Folds low nodes from the events' hashes by position; a node with a missing event is left out. */
export const derivedNodes = (ids: readonly NodeId[], hashAt: ReadonlyMap<number, string>, found: Map<string, Buffer>): void => {
  for (const id of ids) {
    const width = 2 ** id.level;
    const leaves: Buffer[] = [];
    for (let leaf = id.index * width; leaf < (id.index + 1) * width; leaf += 1) {
      const hash = hashAt.get(leaf + 1);
      if (hash === undefined) break;
      leaves.push(eventLeafHash(hash));
    }
    if (leaves.length === width) found.set(nodeKey(id), rangeRoot(leaves));
  }
};
