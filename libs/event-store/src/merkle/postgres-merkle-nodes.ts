import type { PoolClient } from 'pg';
import { CompactRange, eventLeafHash, frontierIds, nodeKey, STORED_FROM_LEVEL, type NodeId } from '@trial-ledger/merkle';
import { derivedNodes, positionsUnder, splitStoredIds, TreeFrontier, type ChainedRow } from './tree-frontier';

/** Schema version 2: the Merkle tree's complete subtrees (level ≥ STORED_FROM_LEVEL), append-only like the events. */
export const POSTGRES_MERKLE_SCHEMA = String.raw`
  CREATE TABLE merkle_nodes (
    level smallint NOT NULL CHECK (level >= 1),
    idx   bigint   NOT NULL CHECK (idx >= 0),
    hash  bytea    NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
  );
  CREATE TRIGGER merkle_nodes_append_only BEFORE UPDATE OR DELETE ON merkle_nodes
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
  CREATE TRIGGER merkle_nodes_no_truncate BEFORE TRUNCATE ON merkle_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
`;

type Queryable = Pick<PoolClient, 'query'>;

/** Reads the given nodes in one round trip (those below STORED_FROM_LEVEL folded from the events' hashes). */
export const readPostgresTreeNodes = async (db: Queryable, ids: readonly NodeId[]): Promise<Map<string, Buffer>> => {
  const { derived, stored } = splitStoredIds(ids);
  const found = new Map<string, Buffer>();
  if (ids.length === 0) return found;
  const rows = await db.query<{ level: number; idx: string; hash: Buffer | null; event_hash: string | null }>({
    name: 'trial-ledger.merkle-nodes',
    text: `SELECT n.level, n.idx, n.hash, NULL AS event_hash
             FROM merkle_nodes n JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx
           UNION ALL
           SELECT 0, e.global_position - 1, NULL, e.hash FROM events e WHERE e.global_position = ANY($3::bigint[])`,
    values: [stored.map((id) => id.level), stored.map((id) => id.index), positionsUnder(derived)],
  });
  const hashAt = new Map<number, string>();
  for (const row of rows.rows) {
    if (row.event_hash !== null) hashAt.set(Number(row.idx) + 1, row.event_hash);
    else found.set(nodeKey({ level: row.level, index: Number(row.idx) }), row.hash as Buffer);
  }
  derivedNodes(derived, hashAt, found);
  return found;
};

/**
 * The frontier of a tree of `size` leaves from what `ledger_append` returns with a refusal: the stored
 * frontier nodes (level ≥ STORED_FROM_LEVEL) and the hashes of the last `size mod 16` events, which
 * the lower frontier nodes cover. Whatever is missing is read again by `nodesFor`.
 */
export const frontierFromState = (
  size: number,
  stored: readonly { level: number; index: number; hash: string }[],
  tail: readonly { position: number; hash: string }[],
): Map<string, Buffer> => {
  const found = new Map(stored.map((n) => [nodeKey({ level: n.level, index: n.index }), Buffer.from(n.hash, 'hex')] as const));
  derivedNodes(splitStoredIds(frontierIds(size)).derived, new Map(tail.map((t) => [t.position, t.hash] as const)), found);
  return found;
};

/** Builds the tree of a ledger written before it existed, inside the migration transaction. */
export const backfillPostgresMerkleNodes = async (client: Queryable): Promise<void> => {
  const range = CompactRange.empty();
  for (;;) {
    const page = await client.query<{ hash: string }>('SELECT hash FROM events WHERE global_position > $1 ORDER BY global_position LIMIT 5000', [range.size]);
    if (page.rows.length === 0) return;
    const nodes = page.rows.flatMap((row) => range.append(eventLeafHash(row.hash)).filter((node) => node.level >= STORED_FROM_LEVEL));
    await client.query('INSERT INTO merkle_nodes (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])', [
      nodes.map((n) => n.level),
      nodes.map((n) => n.index),
      nodes.map((n) => n.hash),
    ]);
  }
};

/** The nodes an append completes, as columns for its INSERT; `keep` makes the extended range the next append's start. */
export interface TreeNodeColumns {
  readonly levels: number[];
  readonly indices: number[];
  readonly hashes: Buffer[];
  readonly keep: () => void;
}

/** The PostgreSQL side of tree maintenance: the nodes an append completes, as columns for its INSERT. */
export class PostgresMerkleNodes {
  private readonly frontier = new TreeFrontier();

  async extend(client: Queryable, rows: readonly ChainedRow[]): Promise<TreeNodeColumns> {
    const columns = await this.nodesFor(client, rows);
    // Kept before COMMIT: harmless if the transaction rolls back (see TreeFrontier).
    columns.keep();
    return columns;
  }

  /**
   * The nodes without keeping the extended range: the caller keeps it once the rows are written. A
   * conditional write that is refused then leaves the range of the head it was refused at, which the
   * next plan usually starts from again.
   */
  async nodesFor(client: Queryable, rows: readonly ChainedRow[], preloaded?: ReadonlyMap<string, Buffer>): Promise<TreeNodeColumns> {
    const ids = this.frontier.idsToLoad(rows);
    const loaded = ids.length === 0 ? undefined : preloaded && ids.every((id) => preloaded.has(nodeKey(id))) ? preloaded : await readPostgresTreeNodes(client, ids);
    const extension = this.frontier.extend(rows, loaded);
    return {
      levels: extension.nodes.map((n) => n.level),
      indices: extension.nodes.map((n) => n.index),
      hashes: extension.nodes.map((n) => n.hash),
      keep: extension.keep,
    };
  }
}
