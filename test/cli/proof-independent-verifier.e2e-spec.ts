import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { seedAuditLedger } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { tempDir } from './cli-harness';

const ROOT = join(__dirname, '..', '..');
const keyDir = String(process.env.TRIAL_LEDGER_KEY_DIR);
const run = (args: readonly string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'bin/trial-ledger.js'), ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TRIAL_LEDGER_KEY_DIR: keyDir } });

/** RFC 9162 §2.1, written here independently of libs/merkle: leaf = SHA-256(0x00 ‖ d), node = SHA-256(0x01 ‖ l ‖ r). */
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const leaf = (d: Buffer) => sha(Buffer.from([0]), d);
const node = (l: Buffer, r: Buffer) => sha(Buffer.from([1]), l, r);
const mth = (d: Buffer[]): Buffer => {
  if (d.length === 1) return leaf(d[0]);
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return node(mth(d.slice(0, k)), mth(d.slice(k)));
};
/** RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) verification. */
const verifyInclusion = (index: number, size: number, leafHash: Buffer, path: Buffer[], root: Buffer): boolean => {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      if (fn % 2 === 0) do { fn >>= 1; sn >>= 1; } while (fn % 2 === 0 && fn !== 0);
    } else r = node(r, p);
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && r.equals(root);
};
const verifyConsistency = (m: number, n: number, proof: Buffer[], r1: Buffer, r2: Buffer): boolean => {
  if (m === n) return proof.length === 0 && r1.equals(r2);
  if (m === 0 || m > n) return false;
  const path = (m & (m - 1)) === 0 ? [r1, ...proof] : proof;
  if (path.length === 0) return false;
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) { fn >>= 1; sn >>= 1; }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = node(c, fr);
      sr = node(c, sr);
      if (fn % 2 === 0) do { fn >>= 1; sn >>= 1; } while (fn % 2 === 0 && fn !== 0);
    } else sr = node(sr, c);
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && fr.equals(r1) && sr.equals(r2);
};
const b64 = (s: string) => Buffer.from(s, 'base64');
/** The root hash is the third line of a signed tree head (checkpoint note). */
const rootOf = (note: string) => b64(note.split('\n')[2]);

describe('proof output checked by an independent RFC 9162 verifier (SHA-256, §2.1)', () => {
  const dir = tempDir();
  const store = ['--store', `sqlite:${join(dir.path, 'ledger.sqlite')}`];
  let hashes: Buffer[] = [];

  beforeAll(async () => {
    const s = new SqliteEventStore(join(dir.path, 'ledger.sqlite'));
    await seedAuditLedger(s);
    await s.close();
    expect(run([...store, 'checkpoint', '--export-public-key', join(dir.path, 'ledger.pub.pem')]).status).toBe(0);
    const trail = run([...store, 'audit-trail', '--json']);
    expect(trail.status).toBe(0);
    hashes = (JSON.parse(trail.stdout) as { position: number; hash: string }[]).sort((a, b) => a.position - b.position).map((r) => Buffer.from(r.hash, 'hex'));
  });
  afterAll(() => dir.remove());

  it('inclusion proofs of the first and last leaf and around powers of two verify, against the root of every leaf; a changed path or root does not', () => {
    const n = hashes.length;
    expect(n).toBeGreaterThan(17);
    for (const position of [1, 2, 3, 4, 5, 8, 9, 16, 17, n - 1, n]) {
      const made = run([...store, 'proof', 'inclusion', '--position', String(position), '--out', '-']);
      expect(made).toMatchObject({ status: 0, stderr: '' });
      const proof = JSON.parse(made.stdout) as { leafIndex: number; treeSize: number; leafHash: string; proof: string[]; checkpoint: string };
      const root = rootOf(proof.checkpoint);
      const path = proof.proof.map(b64);
      expect([proof.leafIndex, proof.treeSize]).toEqual([position - 1, n]);
      expect(root.equals(mth(hashes))).toBe(true);
      expect(b64(proof.leafHash).equals(leaf(hashes[position - 1]))).toBe(true);
      expect(verifyInclusion(proof.leafIndex, proof.treeSize, b64(proof.leafHash), path, root)).toBe(true);
      expect(verifyInclusion(proof.leafIndex, proof.treeSize, b64(proof.leafHash), path, Buffer.alloc(32))).toBe(false);
      if (path.length > 0) expect(verifyInclusion(proof.leafIndex, proof.treeSize, b64(proof.leafHash), [...path.slice(0, -1), Buffer.alloc(32)], root)).toBe(false);
    }
  });

  it('consistency proofs between sizes 1, 2, powers of two ±1 and the head verify against the roots of those prefixes; a changed proof does not', () => {
    const n = hashes.length;
    const pairs: [number, number][] = [[1, 2], [1, n], [2, n], [3, 4], [4, 8], [7, 8], [8, 9], [15, 16], [16, 17], [17, n], [n - 1, n], [n, n]];
    for (const [m, to] of pairs) {
      const made = run([...store, 'proof', 'consistency', '--from', String(m), '--to', String(to), '--out', '-']);
      expect(made).toMatchObject({ status: 0, stderr: '' });
      const proof = JSON.parse(made.stdout) as { fromSize: number; toSize: number; proof: string[]; from: string; to: string };
      const [r1, r2] = [rootOf(proof.from), rootOf(proof.to)];
      const path = proof.proof.map(b64);
      expect([proof.fromSize, proof.toSize]).toEqual([m, to]);
      expect(r1.equals(mth(hashes.slice(0, m)))).toBe(true);
      expect(r2.equals(mth(hashes.slice(0, to)))).toBe(true);
      expect(verifyConsistency(m, to, path, r1, r2)).toBe(true);
      if (path.length > 0) expect(verifyConsistency(m, to, [...path.slice(0, -1), Buffer.alloc(32)], r1, r2)).toBe(false);
      if (m !== to) expect(verifyConsistency(m, to, path, r1, Buffer.alloc(32))).toBe(false);
    }
  });
});
