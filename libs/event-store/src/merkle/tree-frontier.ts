import type { StoredEvent } from '../event-envelope';
import { CompactRange, eventLeafHash, frontierIds, nodeKey, type NodeId, type TreeNode } from '@trial-ledger/merkle';

/** An appended event as the tree needs it: the head it extends is (position − 1, prevHash). */
export type ChainedRow = Pick<StoredEvent, 'globalPosition' | 'prevHash' | 'hash'>;

const headOf = (rows: readonly ChainedRow[]): { position: number; hash: string } => ({ position: rows[0].globalPosition - 1, hash: rows[0].prevHash });

/** What an append adds to the stored tree: the interior nodes it completed (level ≥ 1). */
export interface TreeExtension {
  readonly nodes: readonly TreeNode[];
  /** Call once the transaction committed: the next append then starts from this range without a read. */
  readonly keep: () => void;
}

/**
 * The RFC 9162 tree over the global log, maintained at append time in the same transaction as the
 * events (one per store). Each store keeps the hashes of complete subtrees of level ≥ 1 in a
 * `merkle_nodes` table keyed by (level, index); level 0 is the event's own chained hash, so leaves
 * are not stored twice. The compact range of the head is kept in memory between appends and checked
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
      for (const node of range.append(eventLeafHash(row.hash))) if (node.level > 0) nodes.push(node);
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

/** Level-0 ids are leaves: their hash is derived from the event at position index + 1. */
export const splitLeafIds = (ids: readonly NodeId[]): { leaves: NodeId[]; interior: NodeId[] } => ({
  leaves: ids.filter((id) => id.level === 0),
  interior: ids.filter((id) => id.level > 0),
});
