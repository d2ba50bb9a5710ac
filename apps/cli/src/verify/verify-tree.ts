import type { KeyObject } from 'node:crypto';
import { answerConsistency, latestTreeHead, readTreeHeads, verifyTree, type SignedCheckpoint } from '@trial-ledger/audit';
import type { EventStore } from '@trial-ledger/event-store';
import { verifyConsistency, type TreeVerification } from '@trial-ledger/merkle';

/** `verify --since FILE`: does today's ledger extend the signed tree head an auditor kept? */
export interface SinceReport {
  readonly ok: boolean;
  readonly message: string;
  /** The kept signed tree head (C2SP note). */
  readonly kept: string;
  readonly keptSize: number;
  /** Today's tree, recomputed and checked against the events in this run. */
  readonly current: { readonly treeSize: number; readonly rootHash: string; readonly chainHash: string };
  /** Base64 consistency proof from the kept size to today's (empty when it could not be made). */
  readonly proof: readonly string[];
}

export interface TreeReport {
  readonly ok: boolean;
  readonly tree: TreeVerification;
  readonly since: SinceReport | null;
}

const checkSince = async (store: EventStore, kept: SignedCheckpoint, tree: TreeVerification): Promise<SinceReport> => {
  const keptHead = kept.treeHead as NonNullable<SignedCheckpoint['treeHead']>;
  const head = await store.head();
  const current = { treeSize: tree.size, rootHash: Buffer.from(tree.root, 'hex').toString('base64'), chainHash: head.hash };
  const base = { kept: keptHead.note, keptSize: keptHead.treeSize, current };
  if (keptHead.treeSize > tree.size) {
    return { ...base, ok: false, proof: [], message: `the ledger holds ${tree.size} events, fewer than the ${keptHead.treeSize} the kept tree head signs: it was truncated` };
  }
  if (keptHead.treeSize === 0) return { ...base, ok: true, proof: [], message: 'the kept tree head is of the empty ledger, which every ledger extends' };
  const { proof } = await answerConsistency(store, keptHead.treeSize, tree.size);
  const consistent = verifyConsistency(
    keptHead.treeSize,
    tree.size,
    Buffer.from(keptHead.rootHash, 'base64'),
    Buffer.from(tree.root, 'hex'),
    proof.map((p) => Buffer.from(p, 'base64')),
  );
  return {
    ...base,
    ok: consistent,
    proof,
    message: consistent
      ? `the ledger of ${tree.size} events extends the tree head of ${keptHead.treeSize} events kept since ${kept.time}`
      : `the ledger of ${tree.size} events does not extend the tree head of ${keptHead.treeSize} events kept since ${kept.time}: events recorded before it were changed`,
  };
};

/**
 * The Merkle part of `verify`: the stored tree recomputed from the events (the first altered node is
 * named) and, with `since`, consistency from a signed tree head kept earlier. Only the tree recomputed
 * from the events is compared with the kept head, so a rewritten node cannot hide a rewritten event.
 */
export const checkLedgerTree = async (store: EventStore, since: { file: string; publicKey: KeyObject } | null): Promise<TreeReport> => {
  const tree = await verifyTree(store);
  const sinceReport = since ? await checkSince(store, latestTreeHead(readTreeHeads(since.file), since.publicKey), tree) : null;
  return { ok: tree.ok && (sinceReport?.ok ?? true), tree, since: sinceReport };
};

/** Human lines for the report; a failed `--since` prints both tree heads and the proof as evidence. */
export const describeTreeReport = (report: TreeReport): string[] => {
  const lines: string[] = [];
  const { tree, since } = report;
  lines.push(
    tree.ok
      ? `Merkle tree intact: ${tree.size} leaves, root ${Buffer.from(tree.root, 'hex').toString('base64')}.`
      : `MERKLE TREE DAMAGED: ${tree.fault?.message} (stored ${tree.fault?.stored ?? 'nothing'}, recomputed from the events ${tree.fault?.expected}).`,
  );
  if (since) {
    lines.push(`${since.ok ? 'Consistent' : 'NOT CONSISTENT'} since the kept checkpoint: ${since.message}.`);
    if (!since.ok) {
      lines.push('Evidence — the kept signed tree head:', ...indent(since.kept));
      lines.push('The ledger today (tree recomputed from its events):', `    size ${since.current.treeSize}`, `    root ${since.current.rootHash}`, `    chain ${since.current.chainHash}`);
      lines.push(`The consistency proof (RFC 9162, ${since.proof.length} hashes) that fails:`, ...since.proof.map((p) => `    ${p}`));
    }
  }
  return lines;
};

const indent = (note: string): string[] => note.trimEnd().split('\n').map((line) => `    ${line}`);
