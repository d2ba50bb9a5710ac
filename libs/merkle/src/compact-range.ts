import { EMPTY_ROOT, foldSubtrees, nodeHash, type NodeId } from './rfc9162';

/** A complete subtree's hash, as a store keeps it (keyed by level and index). */
export interface TreeNode extends NodeId {
  readonly hash: Buffer;
}

/** The complete subtrees that cover [0, size), largest first: one per set bit of `size`. */
export const frontierIds = (size: number): NodeId[] => {
  const ids: NodeId[] = [];
  let covered = 0;
  for (let level = Math.floor(Math.log2(Math.max(size, 1))) + 1; level >= 0; level -= 1) {
    const width = 2 ** level;
    if (covered + width <= size) {
      ids.push({ level, index: covered / width });
      covered += width;
    }
  }
  return ids;
};

/**
 * The compact range [0, size) (the "frontier"): the roots of the complete subtrees covering the log so
 * far, at most log2(n)+1 hashes. Appending a leaf costs O(log n) hashes and yields exactly the new
 * complete subtrees a store must keep to answer proofs later; the root needs no stored data at all.
 */
export class CompactRange {
  private readonly nodes: TreeNode[];

  private constructor(
    private count: number,
    nodes: readonly TreeNode[],
  ) {
    this.nodes = [...nodes];
  }

  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /** Rebuilds the range from a store's frontier nodes (`frontierIds(size)`, in that order). */
  static of(size: number, nodes: readonly TreeNode[]): CompactRange {
    const ids = frontierIds(size);
    const matches = ids.length === nodes.length && ids.every((id, i) => nodes[i].level === id.level && nodes[i].index === id.index);
    if (!matches) throw new RangeError(`the frontier of a tree of ${size} leaves needs nodes ${ids.map((id) => `${id.level}/${id.index}`).join(', ')}`);
    return new CompactRange(size, nodes);
  }

  /** An independent copy: appends to it leave this range as it was (a rolled-back transaction). */
  clone(): CompactRange {
    return new CompactRange(this.count, this.nodes);
  }

  get size(): number {
    return this.count;
  }

  /** Appends one leaf hash; returns the complete subtrees it completed, the leaf itself first. */
  append(leaf: Buffer): TreeNode[] {
    const created: TreeNode[] = [{ level: 0, index: this.count, hash: leaf }];
    let node = created[0];
    let last = this.nodes[this.nodes.length - 1];
    while (last !== undefined && last.level === node.level) {
      this.nodes.pop();
      node = { level: node.level + 1, index: last.index / 2, hash: nodeHash(last.hash, node.hash) };
      created.push(node);
      last = this.nodes[this.nodes.length - 1];
    }
    this.nodes.push(node);
    this.count += 1;
    return created;
  }

  root(): Buffer {
    return this.nodes.length === 0 ? EMPTY_ROOT : foldSubtrees(this.nodes.map((n) => n.hash));
  }

  frontier(): readonly TreeNode[] {
    return this.nodes;
  }
}
