import { CompactRange, eventLeafHash, frontierIds, nodeKey, type NodeId, type TreeNode } from '@trial-ledger/merkle';

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
 * is never missed: on a mismatch the range is reloaded from the O(log n) frontier nodes.
 */
export class TreeFrontier {
  private kept: { range: CompactRange; headHash: string } | null = null;

  /** The frontier nodes to read when the kept range is not the head's; empty when it is. */
  idsToLoad(head: { position: number; hash: string }): NodeId[] {
    return this.isKept(head) ? [] : frontierIds(head.position);
  }

  /**
   * Extends the head's range with the appended events' hashes. `loaded` holds the nodes named by
   * `idsToLoad` (level 0 from the events table), unless the kept range was still the head's.
   */
  extend(head: { position: number; hash: string }, eventHashes: readonly string[], loaded?: ReadonlyMap<string, Buffer>): TreeExtension {
    const range = this.isKept(head) ? (this.kept as { range: CompactRange }).range.clone() : this.load(head.position, loaded ?? new Map());
    const nodes: TreeNode[] = [];
    for (const hash of eventHashes) {
      for (const node of range.append(eventLeafHash(hash))) if (node.level > 0) nodes.push(node);
    }
    const headHash = eventHashes[eventHashes.length - 1] ?? head.hash;
    return { nodes, keep: () => (this.kept = { range, headHash }) };
  }

  /** Forgets the kept range (after a failed transaction whose outcome is unknown). */
  forget(): void {
    this.kept = null;
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
