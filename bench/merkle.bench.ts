import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { proveInclusion, signTreeHeadCheckpoint, verifyProofDocument, type LedgerSigningKey } from '@trial-ledger/audit';
import { SqliteEventStore, type NewEvent } from '@trial-ledger/event-store';
import {
  eventLeafHash,
  storedConsistencyProof,
  storedInclusionProof,
  storedRoot,
  verifyConsistency,
  verifyInclusion,
  type TreeNodeSource,
} from '@trial-ledger/merkle';
import { benchActor, formatRate, type BenchLine } from './bench-format';

const event = (i: number): NewEvent => ({
  eventId: uuidv7(),
  type: 'DoseAdministered',
  schemaVersion: 1,
  data: { cycle: i, administeredOn: '2026-03-02', doseMg: 120, route: 'deep-sc', lotNumber: `L${i % 97}`, injectionSite: 'left upper outer buttock' },
  metadata: { actor: benchActor, reason: null, correlationId: uuidv7(), causationId: null, idempotencyKey: null, source: 'cli', protocolVersion: 1 },
});

/**
 * The "without" side of the overhead figure: the same store with its tree maintenance switched off
 * (its Merkle hook replaced by a no-op on this throwaway file). There is deliberately no option for
 * this in the store itself: a ledger without its tree could not answer proofs.
 */
const withoutTree = (store: SqliteEventStore): SqliteEventStore => {
  (store as unknown as { merkle: { extend: () => () => void } }).merkle.extend = () => () => undefined;
  return store;
};

/**
 * The tree's own share of each append, timed inside the same appends: robust where a shared machine
 * makes two separate runs differ by more than the tree costs.
 */
const timeTree = (store: SqliteEventStore): { nanoseconds: bigint } => {
  const merkle = (store as unknown as { merkle: { extend: (...args: unknown[]) => () => void } }).merkle;
  const extend = merkle.extend.bind(merkle);
  const spent = { nanoseconds: 0n };
  merkle.extend = (...args: unknown[]) => {
    const start = process.hrtime.bigint();
    const keep = extend(...args);
    spent.nanoseconds += process.hrtime.bigint() - start;
    return keep;
  };
  return spent;
};

const appendRate = async (file: string, commits: number, perCommit: number, tree: boolean): Promise<{ rate: number; treeShare: number }> => {
  const store = tree ? new SqliteEventStore(file) : withoutTree(new SqliteEventStore(file));
  const spent = tree ? timeTree(store) : { nanoseconds: 0n };
  const start = process.hrtime.bigint();
  for (let c = 0; c < commits; c += 1) {
    await store.append({ writes: [{ streamId: `subject-${c % 28}`, expectedVersion: 'any', events: Array.from({ length: perCommit }, (_, i) => event(c * perCommit + i)) }] });
  }
  const elapsed = process.hrtime.bigint() - start;
  await store.close();
  return { rate: (commits * perCommit) / (Number(elapsed) / 1e9), treeShare: Number(spent.nanoseconds) / Number(elapsed) };
};

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Alternating rounds with and without the tree, so drift on a shared machine hits both sides alike. */
const overhead = async (dir: string, commits: number, perCommit: number, rounds: number): Promise<{ with: number; without: number; treeShare: number }> => {
  const withTree: number[] = [];
  const shares: number[] = [];
  const withoutTreeRates: number[] = [];
  for (let r = 0; r < rounds; r += 1) {
    withoutTreeRates.push((await appendRate(join(dir, `without-${perCommit}-${r}.sqlite`), commits, perCommit, false)).rate);
    const measured = await appendRate(join(dir, `with-${perCommit}-${r}.sqlite`), commits, perCommit, true);
    withTree.push(measured.rate);
    shares.push(measured.treeShare);
  }
  return { with: median(withTree), without: median(withoutTreeRates), treeShare: median(shares) };
};

const timed = async <T>(count: number, work: (i: number) => Promise<T> | T): Promise<{ perSecond: number; results: T[] }> => {
  const results: T[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1) results.push(await work(i));
  return { perSecond: count / (Number(process.hrtime.bigint() - start) / 1e9), results };
};

export const runMerkleBench = async (options: { proofEvents: number; singleCommits: number; batchCommits: number; proofs: number }): Promise<BenchLine[]> => {
  const dir = mkdtempSync(join(tmpdir(), 'merkle-bench-'));
  try {
    const lines: BenchLine[] = [];
    for (const [commits, perCommit] of [[options.singleCommits, 1], [options.batchCommits, 100]] as const) {
      const rates = await overhead(dir, commits, perCommit, 3);
      const cost = (100 * (rates.without - rates.with)) / rates.without;
      lines.push({
        name: `tree maintenance, sqlite ${perCommit}-event appends (median of 3)`,
        value: `${formatRate(rates.with, 'events/s')} with, ${formatRate(rates.without, 'events/s')} without = ${cost.toFixed(1)} % overhead`,
      });
      lines.push({ name: `  time inside tree maintenance, ${perCommit}-event appends (timed in the same appends)`, value: `${(100 * rates.treeShare).toFixed(2)} % of append time` });
    }
    const store = new SqliteEventStore(join(dir, 'proofs.sqlite'));
    for (let b = 0; b < options.proofEvents / 1000; b += 1) {
      await store.append({ writes: [{ streamId: `subject-${b % 200}`, expectedVersion: 'any', events: Array.from({ length: 1000 }, (_, i) => event(b * 1000 + i)) }] });
    }
    const n = (await store.head()).position;
    const tree: TreeNodeSource = { treeNodes: (ids) => store.treeNodes(ids) };
    const root = await storedRoot(tree, n);
    const hashes = new Map<number, string>();
    for await (const e of store.readAll()) if (e.globalPosition % 97 === 0 || e.globalPosition === 1) hashes.set(e.globalPosition, e.hash);
    const positions = [...hashes.keys()];
    const pick = (i: number): number => positions[(i * 7919) % positions.length];
    const inclusion = await timed(options.proofs, (i) => storedInclusionProof(tree, pick(i) - 1, n));
    const inclusionOk = await timed(options.proofs, (i) => verifyInclusion(pick(i) - 1, n, eventLeafHash(hashes.get(pick(i)) as string), inclusion.results[i], root));
    const froms = Array.from({ length: options.proofs }, (_, i) => 1 + ((i * 104729) % (n - 1)));
    const consistency = await timed(options.proofs, (i) => storedConsistencyProof(tree, froms[i], n));
    const fromRoots = await Promise.all(froms.slice(0, 200).map((size) => storedRoot(tree, size)));
    const consistencyOk = await timed(200, (i) => verifyConsistency(froms[i], n, fromRoots[i], root, consistency.results[i]));
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const key: LedgerSigningKey = { privateKey, publicKey, fingerprint: 'sha256:bench' };
    const head = signTreeHeadCheckpoint(key, { position: n, hash: (await store.head()).hash, root }, new Date().toISOString());
    const documents = await timed(Math.min(options.proofs, 1000), (i) => proveInclusion(store, { position: pick(i) }, head));
    const files = await timed(documents.results.length, (i) => verifyProofDocument(documents.results[i], publicKey));
    await store.close();
    const ok = inclusionOk.results.every(Boolean) && consistencyOk.results.every(Boolean) && files.results.every((v) => v.ok);
    const size = n.toLocaleString('en-US');
    lines.push({ name: `inclusion proofs from the stored tree (${size} events, ${inclusion.results[0].length} hashes)`, value: formatRate(inclusion.perSecond, 'proofs/s') });
    lines.push({ name: `inclusion proof verification, path only (${ok ? 'all valid' : 'FAILED'})`, value: formatRate(inclusionOk.perSecond, 'proofs/s') });
    lines.push({ name: `consistency proofs from the stored tree (${size} events)`, value: formatRate(consistency.perSecond, 'proofs/s') });
    lines.push({ name: 'consistency proof verification', value: formatRate(consistencyOk.perSecond, 'proofs/s') });
    lines.push({ name: 'inclusion proof files (event read, checked against the signed head)', value: formatRate(documents.perSecond, 'proofs/s') });
    lines.push({ name: 'proof file verification offline (Ed25519 note + event hash + path)', value: formatRate(files.perSecond, 'proofs/s') });
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
