import { createHash } from 'node:crypto';

/**
 * RFC 9162 §2.1 Merkle Tree Hash over a log of leaves. Written by hand (the npm Merkle libraries lack
 * either the 0x00/0x01 domain separation, which stops a leaf from passing for an interior node, or
 * consistency proofs). Hashes are 32-byte Buffers; wire formats encode them in base64.
 */
export const HASH_SIZE = 32;

/** MTH({}) = SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** MTH({d}) = SHA-256(0x00 ‖ d). */
export const leafHash = (leafInput: Uint8Array): Buffer => createHash('sha256').update(Buffer.of(0)).update(leafInput).digest();

/** SHA-256(0x01 ‖ left ‖ right). */
export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer =>
  createHash('sha256').update(Buffer.of(1)).update(left).update(right).digest();

/** The largest power of two strictly smaller than `n` (n ≥ 2): where MTH splits D[n]. */
export const splitPoint = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** A half-open range of leaf indices [start, end) whose Merkle Tree Hash a proof carries. */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

/** The ranges of PATH(m, D[start:end]) (§2.1.3.1), nearest the leaf first. */
const pathRanges = (m: number, start: number, end: number): LeafRange[] => {
  const n = end - start;
  if (n <= 1) return [];
  const k = splitPoint(n);
  return m < k
    ? [...pathRanges(m, start, start + k), { start: start + k, end }]
    : [...pathRanges(m - k, start + k, end), { start, end: start + k }];
};

/** The ranges of SUBPROOF(m, D[start:end], b) (§2.1.4.1). */
const subproofRanges = (m: number, start: number, end: number, whole: boolean): LeafRange[] => {
  const n = end - start;
  if (m === n) return whole ? [] : [{ start, end }];
  const k = splitPoint(n);
  return m <= k
    ? [...subproofRanges(m, start, start + k, whole), { start: start + k, end }]
    : [...subproofRanges(m - k, start + k, end, false), { start, end: start + k }];
};

const assertSize = (name: string, value: number): void => {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
};

/** The leaf ranges whose hashes form the inclusion proof of leaf `index` in a tree of `size` leaves. */
export const inclusionProofRanges = (index: number, size: number): LeafRange[] => {
  assertSize('size', size);
  assertSize('index', index);
  if (index >= size) throw new RangeError(`leaf ${index} is not in a tree of ${size} leaves`);
  return pathRanges(index, 0, size);
};

/** The leaf ranges whose hashes form the consistency proof from size `from` to size `to` (0 < from ≤ to). */
export const consistencyProofRanges = (from: number, to: number): LeafRange[] => {
  assertSize('from', from);
  assertSize('to', to);
  if (from === 0 || from > to) throw new RangeError(`no consistency proof from ${from} to ${to} leaves`);
  return from === to ? [] : subproofRanges(from, 0, to, true);
};

/**
 * The complete, aligned subtrees ("perfect" nodes: 2^level leaves starting at index·2^level) that make
 * up [start, end), largest first. Every range a proof needs decomposes this way, so a store that keeps
 * the hashes of complete subtrees answers any proof in O(log n) reads.
 */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

export const completeSubtrees = (range: LeafRange): NodeId[] => {
  const nodes: NodeId[] = [];
  let start = range.start;
  while (start < range.end) {
    let level = 0;
    // Grow while the subtree stays aligned at `start` and inside the range.
    while (start % 2 ** (level + 1) === 0 && start + 2 ** (level + 1) <= range.end) level += 1;
    nodes.push({ level, index: start / 2 ** level });
    start += 2 ** level;
  }
  return nodes;
};

/** MTH of a range from the hashes of its complete subtrees (largest first): the right spine folds first. */
export const foldSubtrees = (hashes: readonly Buffer[]): Buffer => {
  if (hashes.length === 0) return EMPTY_ROOT;
  let hash = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i -= 1) hash = nodeHash(hashes[i], hash);
  return hash;
};

/** MTH(D[start:end]) over leaf hashes held in memory (reference implementation, §2.1.1). */
export const rangeRoot = (leafHashes: readonly Buffer[], start = 0, end = leafHashes.length): Buffer => {
  const n = end - start;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leafHashes[start];
  const k = splitPoint(n);
  return nodeHash(rangeRoot(leafHashes, start, start + k), rangeRoot(leafHashes, start + k, end));
};

const isHash = (value: Uint8Array): boolean => value.length === HASH_SIZE;

const equal = (a: Uint8Array, b: Uint8Array): boolean => isHash(a) && isHash(b) && Buffer.compare(a, b) === 0;

/** §2.1.3.2: does `proof` show that `leaf` (a leaf hash) is leaf `index` of the tree of `size` with `root`? */
export const verifyInclusion = (index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean => {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (!isHash(leaf) || !isHash(root) || !proof.every(isHash)) return false;
  // BigInt keeps the bit arithmetic exact beyond 2^31 leaves.
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(r, root);
};

/**
 * §2.1.4.2: does `proof` show that the tree of `to` leaves with `toRoot` extends (appends only to) the
 * tree of `from` leaves with `fromRoot`? Equal sizes need an empty proof and equal roots; a proof from
 * the empty tree is refused as meaningless (every tree extends it).
 */
export const verifyConsistency = (
  from: number,
  to: number,
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean => {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from <= 0 || from > to) return false;
  // Equal sizes: nothing to prove but that the two heads name the same root (as the vectors expect, any byte string).
  if (from === to) return proof.length === 0 && Buffer.compare(fromRoot, toRoot) === 0;
  if (!isHash(fromRoot) || !isHash(toRoot) || !proof.every(isHash)) return false;
  if (proof.length === 0) return false;
  const powerOfTwo = (BigInt(from) & (BigInt(from) - 1n)) === 0n;
  // When `from` is a complete subtree its root is the proof's implicit first element.
  const path: Uint8Array[] = powerOfTwo ? [fromRoot, ...proof] : [...proof];
  let fn = BigInt(from - 1);
  let sn = BigInt(to - 1);
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr: Uint8Array = path[0];
  let sr: Uint8Array = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(fr, fromRoot) && equal(sr, toRoot);
};
