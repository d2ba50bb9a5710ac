import type Database from 'better-sqlite3';
import { CompactRange, eventLeafHash, nodeKey, type NodeId } from '@trial-ledger/merkle';
import { splitLeafIds, TreeFrontier, type ChainedRow } from './tree-frontier';

/**
 * Schema version 2: the Merkle tree's complete subtrees (level ≥ 1), append-only like the events, and
 * built at once for a ledger written before the tree existed (same migration transaction).
 */
export const migrateSqliteMerkleNodes = (db: Database.Database): void => {
  db.exec(`CREATE TABLE merkle_nodes (
      level INTEGER NOT NULL CHECK (level >= 1),
      idx   INTEGER NOT NULL CHECK (idx >= 0),
      hash  BLOB    NOT NULL CHECK (length(hash) = 32),
      PRIMARY KEY (level, idx)
    ) WITHOUT ROWID;
    CREATE TRIGGER merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes
      BEGIN SELECT RAISE(ABORT, 'Merkle nodes are append-only: UPDATE refused'); END;
    CREATE TRIGGER merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes
      BEGIN SELECT RAISE(ABORT, 'Merkle nodes are append-only: DELETE refused'); END;`);
  const page = db.prepare<[number], string>('SELECT hash FROM events WHERE global_position > ? ORDER BY global_position LIMIT 5000').pluck();
  const insert = db.prepare('INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)');
  const range = CompactRange.empty();
  for (let hashes = page.all(0); hashes.length > 0; hashes = page.all(range.size)) {
    for (const hash of hashes) for (const node of range.append(eventLeafHash(hash))) if (node.level > 0) insert.run(node.level, node.index, node.hash);
  }
};

/** The SQLite side of tree maintenance: reads and writes `merkle_nodes` on the store's connection. */
export class SqliteMerkleNodes {
  private readonly frontier = new TreeFrontier();
  private readonly leaf;
  private readonly node;
  private readonly insert;

  constructor(db: Database.Database) {
    this.leaf = db.prepare<[number], string>('SELECT hash FROM events WHERE global_position = ?').pluck();
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

  /** Point reads by primary key: O(log n) of them answer any proof. */
  treeNodes(ids: readonly NodeId[]): Map<string, Buffer> {
    const found = new Map<string, Buffer>();
    const { leaves, interior } = splitLeafIds(ids);
    for (const id of leaves) {
      const hash = this.leaf.get(id.index + 1);
      if (hash !== undefined) found.set(nodeKey(id), eventLeafHash(hash));
    }
    for (const id of interior) {
      const hash = this.node.get(id.level, id.index);
      if (hash !== undefined) found.set(nodeKey(id), hash);
    }
    return found;
  }
}

