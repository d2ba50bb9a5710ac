import { createHash, type Hash } from 'node:crypto';
import Database from 'better-sqlite3';
import { addMissingColumns, openSideDatabase, type SideDatabaseOptions } from '../store/plain-side-file';
import { ReadModelsAlteredError, RowSeal } from '../store/read-model-seal';
import type { AuditIndexQuery, AuditIndexRow, AuditTrailIndexStore } from './audit-trail-index.port';

/**
 * One row per event, keyed by global position (the rowid, so newest-first paging walks an index
 * backwards and stops after a page). The composite indexes serve the trail's filters within a study;
 * `recorded_at` turns a time bound into a position bound (recording times never decrease along the log).
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS audit_trail_index (
    position    INTEGER PRIMARY KEY,
    event_id    TEXT NOT NULL,
    stream_id   TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    username    TEXT NOT NULL,
    role        TEXT NOT NULL,
    study_id    TEXT,
    subject_id  TEXT,
    is_change   INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS audit_trail_index_study ON audit_trail_index (study_id, position);
  CREATE INDEX IF NOT EXISTS audit_trail_index_subject ON audit_trail_index (study_id, subject_id, position);
  CREATE INDEX IF NOT EXISTS audit_trail_index_change ON audit_trail_index (study_id, is_change, position);
  CREATE INDEX IF NOT EXISTS audit_trail_index_type ON audit_trail_index (study_id, event_type, position);
  CREATE INDEX IF NOT EXISTS audit_trail_index_stream ON audit_trail_index (stream_id, position);
  CREATE INDEX IF NOT EXISTS audit_trail_index_time ON audit_trail_index (recorded_at);
  CREATE TABLE IF NOT EXISTS audit_trail_index_checkpoint (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL,
    position INTEGER NOT NULL
  );`;

interface SqlRow {
  position: number;
  event_id: string;
  stream_id: string;
  event_type: string;
  recorded_at: string;
  user_id: string;
  username: string;
  role: string;
  study_id: string | null;
  subject_id: string | null;
  is_change: number;
}

const fromSql = (r: SqlRow): AuditIndexRow => ({
  position: r.position,
  eventId: r.event_id,
  streamId: r.stream_id,
  eventType: r.event_type,
  recordedAt: r.recorded_at,
  userId: r.user_id,
  username: r.username,
  role: r.role,
  studyId: r.study_id,
  subjectId: r.subject_id,
  isChange: r.is_change === 1,
});

/** A file's tables, indexes, triggers and views with their SQL (a trigger or a redefined column would change what the rows say). */
const SCHEMA_OF_FILE = 'SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name';

const LAST_POSITION_RECORDED = 'SELECT position FROM audit_trail_index WHERE recorded_at';
const NEWEST = 'ORDER BY recorded_at DESC, position DESC LIMIT 1';

/** The WHERE clause of a query, with its parameters bound (never spliced into the SQL). */
const whereOf = (q: AuditIndexQuery): { sql: string; params: Array<string | number> } => {
  const parts: string[] = [];
  const params: Array<string | number> = [];
  const add = (sql: string, ...values: Array<string | number>): void => {
    parts.push(sql);
    params.push(...values);
  };
  if (q.studyId !== undefined) add('study_id = ?', q.studyId);
  if (q.subjectId !== undefined) add('subject_id = ?', q.subjectId);
  if (q.user !== undefined) add('(user_id = ? OR username = ?)', q.user, q.user);
  if (q.role !== undefined) add('role = ?', q.role);
  if (q.types !== undefined) add(q.types.length === 0 ? '0' : `event_type IN (${q.types.map(() => '?').join(',')})`, ...q.types);
  if (q.changesOnly === true) add('is_change = 1');
  // A time bound is a position bound: the last position recorded before `from` / at or before `to`.
  // (`ORDER BY … LIMIT 1` walks the time index; `MAX(position) … WHERE recorded_at < ?` would scan the table.)
  if (q.from !== undefined) add(`position > COALESCE((${LAST_POSITION_RECORDED} < ? ${NEWEST}), 0)`, q.from);
  if (q.to !== undefined) add(`position <= COALESCE((${LAST_POSITION_RECORDED} <= ? ${NEWEST}), 0)`, q.to);
  if (q.beforePosition !== undefined) add('position < ?', q.beforePosition);
  if (q.afterPosition !== undefined) add('position > ?', q.afterPosition);
  if (q.throughPosition !== undefined) add('position <= ?', q.throughPosition);
  return { sql: parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`, params };
};

/** A row's columns in the order they are hashed (`is_change` as stored, 0 or 1). */
const HASHED_COLUMNS = 'position, event_id, stream_id, event_type, recorded_at, user_id, username, role, study_id, subject_id, is_change';

/** One row as the line the rows' hash takes: its columns in `HASHED_COLUMNS` order, as JSON. */
const rowLine = (r: AuditIndexRow): string =>
  `${JSON.stringify([r.position, r.eventId, r.streamId, r.eventType, r.recordedAt, r.userId, r.username, r.role, r.studyId, r.subjectId, r.isChange ? 1 : 0])}\n`;

/** Creates the tables, and adds the seal column to files written before the checkpoint was sealed (and so to every file). */
const prepareSchema = (db: Database.Database): void => {
  db.exec(SCHEMA);
  addMissingColumns(db, 'audit_trail_index_checkpoint', { seal: 'TEXT' });
};

/** Every schema object of an index file as this code creates it: the seal covers rows, this covers the SQL around them. */
const SCHEMA_OBJECTS = ((): string => {
  const db = new Database(':memory:');
  try {
    prepareSchema(db);
    return JSON.stringify(db.prepare(SCHEMA_OF_FILE).all());
  } finally {
    db.close();
  }
})();

export interface SqliteAuditTrailIndexOptions extends Pick<SideDatabaseOptions, 'onUnreadable' | 'lockWaitMs'> {
  /**
   * Seals the rows and checkpoint: the rows are append-only and ascending, so a SHA-256 over them in
   * position order is kept running as rows are appended, and the checkpoint holds an HMAC (`RowSeal`)
   * of that hash with the checkpoint's version and position. It is checked over every row when the
   * index is opened, and again before a read whenever another connection has committed to the
   * file since (SQLite's `data_version`): rows altered, added or removed outside the server make the
   * checkpoint report `altered` (the indexer rebuilds) and a read throw `ReadModelsAlteredError`.
   */
  readonly sealKey?: Buffer;
}

/** Where a server keeps the audit-trail index of the SQLite ledger `ledgerFile`: a file of its own beside it. */
export const auditIndexFileOf = (ledgerFile: string): string => `${ledgerFile}.audit-index`;

/** The audit-trail index in a SQLite file (the API keeps it in `LEDGER.sqlite.audit-index`). */
export class SqliteAuditTrailIndex implements AuditTrailIndexStore {
  private readonly db: Database.Database;
  private readonly ownsConnection: boolean;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly seal: RowSeal | null;
  /** SHA-256 over the rows in position order as this connection wrote or last verified them; null: not verified yet, or found altered. */
  private rowsHash: Hash | null = null;
  /** SQLite's `data_version` when the rows were last verified: it changes when another connection commits. */
  private verifiedAt: number | null = null;
  /**
   * The checkpoint's seal as this connection last wrote or verified it (null: none yet). Only this server
   * writes the index, so a commit by another connection must leave it as it was: an older state the
   * server sealed earlier, written back while it runs, would verify but lack the rows indexed since.
   */
  private knownSeal: { readonly seal: string | null } | null = null;

  /** A file name (`:memory:` for tests) or an open connection. */
  constructor(target: string | Database.Database, options: SqliteAuditTrailIndexOptions = {}) {
    ({ db: this.db, ownsConnection: this.ownsConnection } = openSideDatabase(target, { setup: prepareSchema, onUnreadable: options.onUnreadable, lockWaitMs: options.lockWaitMs }));
    this.seal = options.sealKey ? new RowSeal(options.sealKey) : null;
  }

  private dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** Hashes every row again and checks the hash against the sealed checkpoint: false if they differ. */
  private verifySeal(): boolean {
    // One read transaction: the checkpoint and the rows are one snapshot even while the server appends.
    return this.db.transaction(() => this.verifySnapshot())();
  }

  private verifySnapshot(): boolean {
    const version = this.dataVersion();
    // The schema first: with a table dropped or replaced, the rows cannot even be read.
    if (JSON.stringify(this.statement(SCHEMA_OF_FILE).all()) !== SCHEMA_OBJECTS) {
      this.rowsHash = null;
      this.verifiedAt = null;
      return false;
    }
    const head = this.statement('SELECT version, position, seal FROM audit_trail_index_checkpoint WHERE id = 1').get() as { version: number; position: number; seal: string | null } | undefined;
    const hash = createHash('sha256');
    let rows = 0;
    // Raw rows, in position order (the rowid), hashed as the lines they were appended as.
    for (const row of this.db.prepare(`SELECT ${HASHED_COLUMNS} FROM audit_trail_index ORDER BY position`).raw(true).iterate() as IterableIterator<unknown[]>) {
      hash.update(`${JSON.stringify(row)}\n`);
      rows += 1;
    }
    const consistent = head === undefined ? rows === 0 : head.seal === this.sealOf(hash, head.version, head.position);
    const intact = consistent && (this.knownSeal === null || this.knownSeal.seal === (head?.seal ?? null));
    this.rowsHash = intact ? hash : null;
    this.verifiedAt = intact ? version : null;
    if (intact) this.knownSeal = { seal: head?.seal ?? null };
    return intact;
  }

  /** The checkpoint's seal: an HMAC of the rows' hash so far with the checkpoint's version and position. */
  private sealOf(rowsHash: Hash, version: number, position: number): string {
    return RowSeal.text(this.seal!.macOf(['audit-trail-index', version, position, rowsHash.copy().digest('hex')]));
  }

  /** Before a read: rows another connection may have changed since they were verified are verified again. */
  private assertSealed(): void {
    if (this.seal === null || (this.verifiedAt !== null && this.dataVersion() === this.verifiedAt)) return;
    if (!this.verifySeal()) throw new ReadModelsAlteredError('The audit-trail index was altered outside the server: its rows do not match their seal');
  }

  /** Prepared once per distinct SQL text (a filter shape), not per request. */
  private statement(sql: string): Database.Statement {
    let prepared = this.statements.get(sql);
    if (prepared === undefined) {
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  async checkpoint(): Promise<{ position: number; version: number; altered?: boolean } | null> {
    if (this.seal !== null && !this.verifySeal()) return { position: 0, version: 0, altered: true };
    return (this.statement('SELECT position, version FROM audit_trail_index_checkpoint WHERE id = 1').get() as { position: number; version: number } | undefined) ?? null;
  }

  async append(rows: readonly AuditIndexRow[], checkpoint: number, version: number): Promise<void> {
    const insert = this.statement(
      `INSERT INTO audit_trail_index (position, event_id, stream_id, event_type, recorded_at, user_id, username, role, study_id, subject_id, is_change)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const move = this.statement(
      `INSERT INTO audit_trail_index_checkpoint (id, version, position, seal) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET version = excluded.version, position = excluded.position, seal = excluded.seal`,
    );
    // The hash is extended on a copy and kept only once the transaction has committed.
    let hash: Hash | null = null;
    let seal: string | null = null;
    if (this.seal !== null) {
      this.assertSealed();
      hash = (this.rowsHash ?? createHash('sha256')).copy();
      for (const r of rows) hash.update(rowLine(r));
      seal = this.sealOf(hash, version, checkpoint);
    }
    this.db.transaction(() => {
      for (const r of rows) insert.run(r.position, r.eventId, r.streamId, r.eventType, r.recordedAt, r.userId, r.username, r.role, r.studyId, r.subjectId, r.isChange ? 1 : 0);
      move.run(version, checkpoint, seal);
    }).immediate();
    if (hash !== null) this.rowsHash = hash;
    if (this.seal !== null) this.knownSeal = { seal };
  }

  /**
   * A read of checked rows: the check and the read run in one read transaction, so they see one
   * snapshot of the file (`data_version` included) and a commit by another connection in between is
   * seen by the next read, never served unchecked by this one.
   */
  private sealedRead<T>(read: () => T): T {
    return this.db.transaction(() => {
      this.assertSealed();
      return read();
    })();
  }

  async find(query: AuditIndexQuery, limit: number, order: 'newest-first' | 'oldest-first', offset = 0): Promise<AuditIndexRow[]> {
    const where = whereOf(query);
    const sql = `SELECT * FROM audit_trail_index ${where.sql} ORDER BY position ${order === 'newest-first' ? 'DESC' : 'ASC'} LIMIT ? OFFSET ?`;
    return this.sealedRead(() => (this.statement(sql).all(...where.params, limit, offset) as SqlRow[]).map(fromSql));
  }

  async subjectOfStream(streamId: string): Promise<string | null> {
    const row = this.sealedRead(() => this.statement('SELECT subject_id FROM audit_trail_index WHERE stream_id = ? AND subject_id IS NOT NULL ORDER BY position LIMIT 1').get(streamId)) as
      | { subject_id: string }
      | undefined;
    return row?.subject_id ?? null;
  }

  async streamsOfSubject(studyId: string, subjectId: string, throughPosition: number): Promise<string[]> {
    const rows = this.sealedRead(() => this.statement('SELECT DISTINCT stream_id FROM audit_trail_index WHERE study_id = ? AND subject_id = ? AND position <= ?').all(studyId, subjectId, throughPosition)) as Array<{
      stream_id: string;
    }>;
    return rows.map((r) => r.stream_id);
  }

  async assertIntact(): Promise<void> {
    this.sealedRead(() => undefined);
  }

  async reset(): Promise<void> {
    this.db.transaction(() => {
      if (JSON.stringify(this.statement(SCHEMA_OF_FILE).all()) === SCHEMA_OBJECTS) {
        this.db.exec('DELETE FROM audit_trail_index; DELETE FROM audit_trail_index_checkpoint;');
        return;
      }
      // Objects added or redefined outside the server go with the rows: a trigger left in place would act on the rebuild.
      const objects = this.db.prepare<[], { type: string; name: string }>("SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view', 'table') AND name NOT LIKE 'sqlite_%'").all();
      for (const type of ['trigger', 'view', 'table']) {
        for (const o of objects.filter((x) => x.type === type)) this.db.exec(`DROP ${type.toUpperCase()} IF EXISTS "${o.name.replaceAll('"', '""')}"`);
      }
      prepareSchema(this.db);
    }).immediate();
    this.rowsHash = createHash('sha256');
    this.verifiedAt = this.seal === null ? null : this.dataVersion();
    this.knownSeal = { seal: null };
  }

  async close(): Promise<void> {
    if (this.ownsConnection && this.db.open) this.db.close();
  }
}
