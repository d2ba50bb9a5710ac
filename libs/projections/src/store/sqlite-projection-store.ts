import Database from 'better-sqlite3';
import { openSideDatabase } from './plain-side-file';
import type { ProjectionStore, StoredProjection } from './projection-store.port';

/**
 * Read-model tables, separate from the ledger's `events` table (they may live in the same SQLite file
 * or in their own): they are ordinary, updatable tables because a read model can always be rebuilt
 * from the log. Documents and checkpoint move in one transaction.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS projection_checkpoints (
    projection TEXT PRIMARY KEY,
    version    INTEGER NOT NULL,
    position   INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS projection_documents (
    projection TEXT NOT NULL,
    doc_key    TEXT NOT NULL,
    state      TEXT NOT NULL,
    PRIMARY KEY (projection, doc_key)
  );`;

export class SqliteProjectionStore implements ProjectionStore {
  private readonly db: Database.Database;
  private readonly ownsConnection: boolean;

  /** A file name (`:memory:` for tests) or an open connection shared with the SQLite event store. */
  constructor(target: string | Database.Database) {
    ({ db: this.db, ownsConnection: this.ownsConnection } = openSideDatabase(target));
    this.db.exec(SCHEMA);
  }

  async load<Doc>(projection: string): Promise<StoredProjection<Doc>> {
    const head = this.db
      .prepare<[string], { version: number; position: number }>('SELECT version, position FROM projection_checkpoints WHERE projection = ?')
      .get(projection);
    if (!head) return { checkpoint: 0, version: null, documents: {} };
    const rows = this.db
      .prepare<[string], { doc_key: string; state: string }>('SELECT doc_key, state FROM projection_documents WHERE projection = ?')
      .all(projection);
    const documents: Record<string, Doc> = {};
    for (const row of rows) documents[row.doc_key] = JSON.parse(row.state) as Doc;
    return { checkpoint: head.position, version: head.version, documents };
  }

  async save<Doc>(projection: string, version: number, checkpoint: number, changed: Readonly<Record<string, Doc>>): Promise<void> {
    const upsertDoc = this.db.prepare(
      `INSERT INTO projection_documents (projection, doc_key, state) VALUES (?, ?, ?)
       ON CONFLICT (projection, doc_key) DO UPDATE SET state = excluded.state`,
    );
    const upsertCheckpoint = this.db.prepare(
      `INSERT INTO projection_checkpoints (projection, version, position) VALUES (?, ?, ?)
       ON CONFLICT (projection) DO UPDATE SET version = excluded.version, position = excluded.position`,
    );
    this.db.transaction(() => {
      for (const [key, doc] of Object.entries(changed)) upsertDoc.run(projection, key, JSON.stringify(doc));
      upsertCheckpoint.run(projection, version, checkpoint);
    }).immediate();
  }

  async reset(projection: string): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM projection_documents WHERE projection = ?').run(projection);
      this.db.prepare('DELETE FROM projection_checkpoints WHERE projection = ?').run(projection);
    }).immediate();
  }

  async getDocument<Doc>(projection: string, key: string): Promise<Doc | null> {
    const row = this.db
      .prepare<[string, string], { state: string }>('SELECT state FROM projection_documents WHERE projection = ? AND doc_key = ?')
      .get(projection, key);
    return row ? (JSON.parse(row.state) as Doc) : null;
  }

  async close(): Promise<void> {
    if (this.ownsConnection && this.db.open) this.db.close();
  }
}
