import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { CompactRange } from './compact-range';
import { rangeRoot, verifyConsistency, verifyInclusion, type NodeId } from './rfc9162';
import { nodeKey, storedConsistencyProof, storedInclusionProof, storedRoot, type TreeNodeSource } from './stored-tree';

/** A tree built leaf by leaf through the compact range, keeping every node it completes (as a store does). */
const buildTree = (size: number): { leaves: Buffer[]; source: TreeNodeSource; roots: Buffer[] } => {
  const nodes = new Map<string, Buffer>();
  const leaves: Buffer[] = [];
  const roots: Buffer[] = [];
  const range = CompactRange.empty();
  for (let i = 0; i < size; i += 1) {
    const leaf = createHash('sha256').update(Buffer.of(0)).update(`event ${i}`).digest();
    leaves.push(leaf);
    for (const node of range.append(leaf)) nodes.set(nodeKey(node), node.hash);
    roots.push(range.root());
  }
  const source: TreeNodeSource = {
    treeNodes: async (ids: readonly NodeId[]) => new Map(ids.flatMap((id) => (nodes.has(nodeKey(id)) ? [[nodeKey(id), nodes.get(nodeKey(id)) as Buffer]] : []))),
  };
  return { leaves, source, roots };
};

const flipBit = (proof: Buffer[], bit: number): Buffer[] =>
  proof.map((hash, i) => {
    if (i !== Math.floor(bit / 256) % proof.length) return hash;
    const copy = Buffer.from(hash);
    copy[Math.floor((bit % 256) / 8)] ^= 1 << (bit % 8);
    return copy;
  });

const withBitFlipped = (hash: Buffer, bit: number): Buffer => flipBit([hash], bit)[0];

describe('Merkle tree properties (fast-check)', () => {
  it('the compact range root equals MTH over all leaves, for every prefix', () => {
    const { leaves, roots } = buildTree(70);
    roots.forEach((root, i) => expect(root.equals(rangeRoot(leaves, 0, i + 1))).toBe(true));
  });

  it('every inclusion proof verifies; any flipped bit or a wrong index fails', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), async (size, pick, bit) => {
        const { leaves, source } = buildTree(size);
        const index = pick % size;
        const root = await storedRoot(source, size);
        expect(root.equals(rangeRoot(leaves))).toBe(true);
        const proof = await storedInclusionProof(source, index, size);
        expect(verifyInclusion(index, size, leaves[index], proof, root)).toBe(true);
        expect(verifyInclusion(index, size, withBitFlipped(leaves[index], bit), proof, root)).toBe(false);
        expect(verifyInclusion(index, size, leaves[index], proof, withBitFlipped(root, bit))).toBe(false);
        if (proof.length > 0) expect(verifyInclusion(index, size, leaves[index], flipBit(proof, bit), root)).toBe(false);
        if (size > 1) expect(verifyInclusion((index + 1) % size, size, leaves[index], proof, root)).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('every consistency proof verifies; any flipped bit or swapped size fails', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), async (to, pick, bit) => {
        const { source, roots } = buildTree(to);
        const from = 1 + (pick % to);
        const proof = await storedConsistencyProof(source, from, to);
        const [fromRoot, toRoot] = [roots[from - 1], roots[to - 1]];
        expect(verifyConsistency(from, to, fromRoot, toRoot, proof)).toBe(true);
        expect(verifyConsistency(from, to, withBitFlipped(fromRoot, bit), toRoot, proof)).toBe(false);
        expect(verifyConsistency(from, to, fromRoot, withBitFlipped(toRoot, bit), proof)).toBe(false);
        if (proof.length > 0) expect(verifyConsistency(from, to, fromRoot, toRoot, flipBit(proof, bit))).toBe(false);
        if (from < to) expect(verifyConsistency(from, to, toRoot, fromRoot, proof)).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('a tree that rewrote an earlier leaf is not consistent with its past', async () => {
    const { leaves, roots } = buildTree(37);
    const forged = [...leaves];
    forged[5] = withBitFlipped(forged[5], 3);
    const range = CompactRange.empty();
    const nodes = new Map<string, Buffer>();
    for (const leaf of forged) for (const node of range.append(leaf)) nodes.set(nodeKey(node), node.hash);
    const source: TreeNodeSource = { treeNodes: async (ids) => new Map(ids.map((id) => [nodeKey(id), nodes.get(nodeKey(id)) as Buffer])) };
    const proof = await storedConsistencyProof(source, 20, 37);
    expect(verifyConsistency(20, 37, roots[19], range.root(), proof)).toBe(false);
  });
});
