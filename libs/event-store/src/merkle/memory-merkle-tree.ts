import { CompactRange, eventLeafHash, nodeKey, type NodeId } from '@trial-ledger/merkle';

/**
 * The tree of a store without tables (KurrentDB): its leaves are the chained hashes held in the ledger
 * stream itself, and each process folds them into the complete subtrees here as it folds its index
 * (O(log n) amortised per event, ~n hashes of memory beside the index's per-event maps). Nothing is
 * written to the server, so appends cost nothing more; a process restart rebuilds the tree from the
 * ledger stream, which is what it commits to.
 */
export class MemoryMerkleTree {
  private readonly range = CompactRange.empty();
  /** levels[l][i]: the hash of complete subtree (l, i); level 0 holds the leaves. */
  private readonly levels: Buffer[][] = [];

  get size(): number {
    return this.range.size;
  }

  append(eventHash: string): void {
    for (const node of this.range.append(eventLeafHash(eventHash))) {
      (this.levels[node.level] ??= []).push(node.hash);
    }
  }

  treeNodes(ids: readonly NodeId[]): Map<string, Buffer> {
    const found = new Map<string, Buffer>();
    for (const id of ids) {
      const hash = this.levels[id.level]?.[id.index];
      if (hash !== undefined) found.set(nodeKey(id), hash);
    }
    return found;
  }
}
