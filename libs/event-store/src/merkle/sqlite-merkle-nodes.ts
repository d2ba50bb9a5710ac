import type Database from 'better-sqlite3';
import { CompactRange, eventLeafHash, nodeKey, STORED_FROM_LEVEL, type NodeId } from '@trial-ledger/merkle';
import { derivedNodes, splitStoredIds, TreeFrontier, type ChainedRow } from './tree-frontier';

/**
 * Schema version 2: the Merkle tree's complete subtrees (level ≥ STORED_FROM_LEVEL), append-only like the events, and
 * built at once for a ledger written before the tree existed (same migration transaction).
 */
export const SQLITE_MERKLE_SCHEMA = `CREATE TABLE merkle_nodes (
      level INTEGER NOT NULL CHECK (level >= 1),
      idx   INTEGER NOT NULL CHECK (idx >= 0),
      hash  BLOB    NOT NULL CHECK (length(hash) = 32),
      PRIMARY KEY (level, idx)
    ) WITHOUT ROWID;
    CREATE TRIGGER merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes
      BEGIN SELECT RAISE(ABORT, 'Merkle nodes are append-only: UPDATE refused'); END;
    CREATE TRIGGER merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes
      BEGIN SELECT RAISE(ABORT, 'Merkle nodes are append-only: DELETE refused'); END;`;

export const migrateSqliteMerkleNodes = (db: Database.Database): void => {
  db.exec(SQLITE_MERKLE_SCHEMA);
  const page = db.prepare<[number], string>('SELECT hash FROM events WHERE global_position > ? ORDER BY global_position LIMIT 5000').pluck();
  const insert = db.prepare('INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)');
  const range = CompactRange.empty();
  for (let hashes = page.all(0); hashes.length > 0; hashes = page.all(range.size)) {
    for (const hash of hashes) {
      for (const node of range.append(eventLeafHash(hash))) if (node.level >= STORED_FROM_LEVEL) insert.run(node.level, node.index, node.hash);
    }
  }
};

/** The SQLite side of tree maintenance: reads and writes `merkle_nodes` on the store's connection. */
export class SqliteMerkleNodes {
  private readonly frontier = new TreeFrontier();
  private readonly leaves;
  private readonly node;
  private readonly insert;

  constructor(db: Database.Database) {
    this.leaves = db.prepare<[number, number], { p: number; h: string }>(
      'SELECT global_position AS p, hash AS h FROM events WHERE global_position BETWEEN ? AND ? ORDER BY global_position',
    );
    this.node = db.prepare<[number, number], Buffer>('SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?').pluck();
    this.insert = db.prepare('INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)');
  }

  /** Inside the append transaction, after the events' rows: stores the nodes they complete. Returns the commit hook. */
  extend(rows: readonly ChainedRow[]): () => void {
    const ids = this.frontier.idsToLoad(rows);
    const extension = this.frontier.extend(rows, ids.length > 0 ? this.treeNodes(ids) : undefined);
    for (const node of extension.nodes) this.insert.run(node.level, node.index, node.hash);
    return extension.keep;
  }

  /** Point reads by primary key and short range reads of event hashes: O(log n) of them answer any proof. */
  treeNodes(ids: readonly NodeId[]): Map<string, Buffer> {
    const found = new Map<string, Buffer>();
    const { derived, stored } = splitStoredIds(ids);
    const hashAt = new Map<number, string>();
    for (const id of derived) {
      const width = 2 ** id.level;
      for (const row of this.leaves.all(id.index * width + 1, (id.index + 1) * width)) hashAt.set(row.p, row.h);
    }
    derivedNodes(derived, hashAt, found);
    for (const id of stored) {
      const hash = this.node.get(id.level, id.index);
      if (hash !== undefined) found.set(nodeKey(id), hash);
    }
    return found;
  }
}

