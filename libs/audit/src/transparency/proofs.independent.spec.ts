import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { testEvent } from '../../../event-store/src/testing';
import { answerConsistency, answerInclusion } from './proofs';

/**
 * An independent RFC 9162 §2.1 implementation, written from the RFC text and sharing nothing with
 * libs/merkle: MTH, PATH and PROOF/SUBPROOF by their recursive definitions.
 */
const sha = (...parts: Buffer[]): Buffer => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();
const leaf = (input: Buffer): Buffer => sha(Buffer.of(0), input);
const node = (l: Buffer, r: Buffer): Buffer => sha(Buffer.of(1), l, r);
const k = (n: number): number => 2 ** Math.ceil(Math.log2(n) - 1);
const mth = (d: Buffer[]): Buffer => (d.length === 0 ? sha() : d.length === 1 ? leaf(d[0]) : node(mth(d.slice(0, k(d.length))), mth(d.slice(k(d.length)))));
const path = (m: number, d: Buffer[]): Buffer[] => {
  if (d.length <= 1) return [];
  const s = k(d.length);
  return m < s ? [...path(m, d.slice(0, s)), mth(d.slice(s))] : [...path(m - s, d.slice(s)), mth(d.slice(0, s))];
};
const subproof = (m: number, d: Buffer[], b: boolean): Buffer[] => {
  if (m === d.length) return b ? [] : [mth(d)];
  const s = k(d.length);
  return m <= s ? [...subproof(m, d.slice(0, s), b), mth(d.slice(s))] : [...subproof(m - s, d.slice(s), false), mth(d.slice(0, s))];
};
const b64 = (hashes: Buffer[]): string[] => hashes.map((h) => h.toString('base64'));

describe('stored proofs against an independent RFC 9162 implementation', () => {
  let dir: string;
  let store: SqliteEventStore;
  let inputs: Buffer[];
  const SIZE = 70;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'proofs-independent-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    await store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: Array.from({ length: SIZE }, () => testEvent()) }] });
    inputs = [];
    for await (const e of store.readAll()) inputs.push(Buffer.from(e.hash, 'hex'));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, SIZE];

  it.each(sizes)('inclusion proofs in a tree of %i events are PATH(m, D[n]) with the root MTH(D[n])', async (size) => {
    for (const position of new Set([1, 2, Math.ceil(size / 2), size - 1, size].filter((p) => p >= 1 && p <= size))) {
      const answer = await answerInclusion(store, { position }, size);
      const d = inputs.slice(0, size);
      expect(answer).toMatchObject({ leafIndex: position - 1, treeSize: size, rootHash: mth(d).toString('base64'), leafHash: leaf(d[position - 1]).toString('base64') });
      expect(answer.proof).toEqual(b64(path(position - 1, d)));
    }
  });

  it.each(sizes.flatMap((to) => sizes.filter((from) => from <= to).map((from) => [from, to])))('the consistency proof from %i to %i events is PROOF(m, D[n])', async (from, to) => {
    const answer = await answerConsistency(store, from, to);
    expect(answer).toEqual({
      fromRoot: mth(inputs.slice(0, from)).toString('base64'),
      toRoot: mth(inputs.slice(0, to)).toString('base64'),
      proof: from === to ? [] : b64(subproof(from, inputs.slice(0, to), true)),
    });
  });

  it('refuses a leaf index equal to the tree size, a size beyond the head, and size 0', async () => {
    await expect(answerInclusion(store, { position: 9 }, 8)).rejects.toMatchObject({ code: 'PROOF.NOT_IN_TREE' });
    await expect(answerInclusion(store, { position: 1 }, SIZE + 1)).rejects.toMatchObject({ code: 'PROOF.BEYOND_HEAD' });
    await expect(answerInclusion(store, { position: 1 }, 0)).rejects.toMatchObject({ code: 'PROOF.NOT_IN_TREE' });
    await expect(answerInclusion(store, { position: SIZE + 1 })).rejects.toMatchObject({ code: 'PROOF.EVENT_NOT_FOUND' });
    await expect(answerConsistency(store, 0, 4)).rejects.toMatchObject({ code: 'PROOF.INVALID_RANGE' });
    await expect(answerConsistency(store, 4, SIZE + 1)).rejects.toMatchObject({ code: 'PROOF.BEYOND_HEAD' });
    await expect(answerConsistency(store, 5, 4)).rejects.toMatchObject({ code: 'PROOF.INVALID_RANGE' });
  });
});
