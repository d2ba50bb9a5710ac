import Database from 'better-sqlite3';
import { canonicalize } from 'json-canonicalize';
import { GENESIS_HASH, hashEvent, type StoredEvent } from '@trial-ledger/event-store';
import { CompactRange, eventLeafHash, STORED_FROM_LEVEL } from '@trial-ledger/merkle';

/**
 * What an attacker with write access to the SQLite file can do: drop the append-only triggers and
 * edit rows directly, optionally recomputing the hash chain so that it verifies again. Tests use it
 * to prove that every such edit is detected and its position named.
 */
export class SqliteAttacker {
  readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.exec('DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete;');
  }

  row(position: number): Record<string, unknown> {
    return this.db.prepare('SELECT * FROM events WHERE global_position = ?').get(position) as Record<string, unknown>;
  }

  /** Runs one statement; returns the number of rows changed. */
  exec(sql: string, ...params: unknown[]): number {
    return this.db.prepare(sql).run(...params).changes;
  }

  /** Moves every event from `position` on by `delta` (renumbering, as after an insert or a delete). */
  shift(fromPosition: number, delta: number): void {
    const order = delta > 0 ? 'DESC' : 'ASC';
    const rows = this.db.prepare(`SELECT global_position FROM events WHERE global_position >= ? ORDER BY global_position ${order}`).all(fromPosition) as Array<{ global_position: number }>;
    const move = this.db.prepare('UPDATE events SET global_position = ? WHERE global_position = ?');
    for (const { global_position } of rows) move.run(global_position + delta, global_position);
  }

  /** The event at a position as the store would read it. */
  storedEvent(position: number): StoredEvent {
    const r = this.row(position) as Record<string, string & number>;
    return {
      eventId: r.event_id, type: r.type, schemaVersion: r.schema_version, streamId: r.stream_id, streamVersion: r.stream_version,
      globalPosition: r.global_position, data: JSON.parse(r.data), metadata: { ...JSON.parse(r.metadata), recordedAt: r.recorded_at },
      prevHash: r.prev_hash, hash: r.hash,
    };
  }

  /** Recomputes prev_hash and hash from `position` to the end: the "whole chain recomputed" attack. */
  rehashFrom(position: number): void {
    let prevHash = position === 1 ? GENESIS_HASH : (this.row(position - 1).hash as string);
    const positions = this.db.prepare('SELECT global_position FROM events WHERE global_position >= ? ORDER BY global_position').all(position) as Array<{ global_position: number }>;
    const update = this.db.prepare('UPDATE events SET prev_hash = ?, hash = ? WHERE global_position = ?');
    for (const { global_position } of positions) {
      const event = { ...this.storedEvent(global_position), prevHash };
      const hash = hashEvent(event);
      update.run(prevHash, hash, global_position);
      prevHash = hash;
    }
  }

  /** Inserts a forged row with a self-consistent hash at `position` (which must be free), stored as the store writes it (RFC 8785 text). */
  insertForged(event: Omit<StoredEvent, 'hash' | 'prevHash'>): void {
    const prevHash = event.globalPosition === 1 ? GENESIS_HASH : (this.row(event.globalPosition - 1).hash as string);
    const hash = hashEvent({ ...event, prevHash });
    const recordedAt = event.metadata.recordedAt;
    this.db.prepare(
      `INSERT INTO events (global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(event.globalPosition, event.eventId, event.streamId, event.streamVersion, event.type, event.schemaVersion, canonicalize(event.data), canonicalize(event.metadata), recordedAt, prevHash, hash);
  }

  /** Overwrites a stored Merkle node (level ≥ 1) behind the store's back: the "tree rewritten" attack. */
  rewriteMerkleNode(level: number, index: number, hash: Buffer): number {
    this.db.exec('DROP TRIGGER IF EXISTS merkle_nodes_no_update; DROP TRIGGER IF EXISTS merkle_nodes_no_delete;');
    return this.exec('UPDATE merkle_nodes SET hash = ? WHERE level = ? AND idx = ?', hash, level, index);
  }

  /**
   * Drops the tree's append-only triggers and rebuilds `merkle_nodes` from the events' hashes as the
   * store computes them (RFC 9162 leaves, complete subtrees from STORED_FROM_LEVEL up): the "tree
   * recomputed" step that follows `rehashFrom`, after which the stored tree matches the rewritten
   * events again. Returns the number of nodes written.
   */
  rebuildMerkleTree(): number {
    this.db.exec('DROP TRIGGER IF EXISTS merkle_nodes_no_update; DROP TRIGGER IF EXISTS merkle_nodes_no_delete;');
    const hashes = this.db.prepare<[], string>('SELECT hash FROM events ORDER BY global_position').pluck().all();
    const insert = this.db.prepare('INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)');
    return this.db.transaction(() => {
      this.db.exec('DELETE FROM merkle_nodes');
      const range = CompactRange.empty();
      let written = 0;
      for (const hash of hashes) {
        for (const node of range.append(eventLeafHash(hash))) {
          if (node.level < STORED_FROM_LEVEL) continue;
          insert.run(node.level, node.index, node.hash);
          written += 1;
        }
      }
      return written;
    })();
  }

  close(): void {
    this.db.close();
  }
}

/**
 * The whole-log rewrite of the custody tests: a dose's amount changed from 12 to 120 mg, the chain
 * recomputed from it and the stored Merkle tree rebuilt — everything but a signature under the key.
 */
export const rewriteDoseAndRecompute = (file: string, dose: Pick<StoredEvent, 'globalPosition'>): void => {
  const attack = new SqliteAttacker(file);
  try {
    attack.exec(`UPDATE events SET data = replace(data, '"doseMg":12', '"doseMg":120') WHERE global_position = ?`, dose.globalPosition);
    attack.rehashFrom(dose.globalPosition);
    attack.rebuildMerkleTree();
  } finally {
    attack.close();
  }
};
