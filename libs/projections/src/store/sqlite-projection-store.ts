import { setImmediate } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { addMissingColumns, openSideDatabase, type SideDatabaseOptions } from './plain-side-file';
import type { ProjectionStore, StoredProjection } from './projection-store.port';
import { RowSeal } from './read-model-seal';

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

/** Longest run of serialising and sealing rows in one save before it lets the event loop turn. */
const SAVE_SLICE_MS = 4;

/** What a sealed store keeps of each projection's rows: each row's HMAC and their sum. */
interface SealedRows {
  readonly macs: Map<string, bigint>;
  digest: bigint;
}

export interface SqliteProjectionStoreOptions extends Pick<SideDatabaseOptions, 'onUnreadable'> {
  /**
   * Seals the saved rows and checkpoint with a keyed digest (`RowSeal`) and trusts saved read models
   * only when it matches: rows altered, added or removed outside the server, or a moved checkpoint,
   * load as "never run" with `altered: true`, so they are rebuilt from the log. Without a key, rows are
   * saved unsealed and loaded as they are (tests, and read models no other process can reach).
   */
  readonly sealKey?: Buffer;
}

/** Creates the tables, and adds the columns files written by earlier versions lack (empty, so they are rebuilt once). */
const prepareSchema = (db: Database.Database): void => {
  db.exec(SCHEMA);
  addMissingColumns(db, 'projection_checkpoints', { seal: 'TEXT', anchor: 'TEXT' });
};

export class SqliteProjectionStore implements ProjectionStore {
  private readonly db: Database.Database;
  private readonly ownsConnection: boolean;
  private readonly seal: RowSeal | null;
  private readonly sealed = new Map<string, SealedRows>();

  /** A file name (`:memory:` for tests) or an open connection shared with the SQLite event store. */
  constructor(target: string | Database.Database, options: SqliteProjectionStoreOptions = {}) {
    ({ db: this.db, ownsConnection: this.ownsConnection } = openSideDatabase(target, { setup: prepareSchema, onUnreadable: options.onUnreadable }));
    this.seal = options.sealKey ? new RowSeal(options.sealKey) : null;
  }

  /**
   * The checkpoint's part of the seal: it names the log event it stands on, so rows sealed for another
   * log are told apart. Checkpoints sealed before they named it (no anchor) keep verifying, and load
   * with `anchor: null`, which no reader uses: they are rebuilt once, not reported as altered.
   */
  private checkpointMac(projection: string, version: number, position: number, anchor: string | null): bigint {
    return this.seal!.macOf(anchor === null ? ['checkpoint', projection, version, position] : ['checkpoint', projection, version, position, anchor]);
  }

  async load<Doc>(projection: string): Promise<StoredProjection<Doc>> {
    // One read transaction: the checkpoint and the rows are one snapshot even while a server saves.
    return this.db.transaction(() => this.loadSnapshot<Doc>(projection))();
  }

  private loadSnapshot<Doc>(projection: string): StoredProjection<Doc> {
    const head = this.db
      .prepare<[string], { version: number; position: number; seal: string | null; anchor: string | null }>('SELECT version, position, seal, anchor FROM projection_checkpoints WHERE projection = ?')
      .get(projection);
    const rows = this.db
      .prepare<[string], { doc_key: string; state: string }>('SELECT doc_key, state FROM projection_documents WHERE projection = ?')
      .all(projection);
    const never: StoredProjection<Doc> = { checkpoint: 0, version: null, documents: {} };
    if (this.seal) {
      this.sealed.delete(projection);
      const sealed: SealedRows = { macs: new Map(), digest: 0n };
      for (const row of rows) {
        const mac = this.seal.rowMacOf(projection, row.doc_key, row.state);
        sealed.macs.set(row.doc_key, mac);
        sealed.digest = RowSeal.add(sealed.digest, mac);
      }
      if (!head) return rows.length === 0 ? never : { ...never, altered: true };
      // Sealed by an earlier format: not checked, and loaded without rows or anchor, so they are rebuilt once, without an alarm.
      if (!RowSeal.isCurrentRowsFormat(head.seal) && head.seal !== null) return { checkpoint: head.position, version: head.version, anchor: null, documents: {} };
      if (head.seal !== RowSeal.rowsText(RowSeal.add(sealed.digest, this.checkpointMac(projection, head.version, head.position, head.anchor)))) return { ...never, altered: true };
      this.sealed.set(projection, sealed);
    }
    if (!head) return never;
    const documents: Record<string, Doc> = {};
    for (const row of rows) documents[row.doc_key] = JSON.parse(row.state) as Doc;
    return { checkpoint: head.position, version: head.version, anchor: head.anchor, documents };
  }

  async save<Doc>(projection: string, version: number, checkpoint: number, changed: Readonly<Record<string, Doc>>, anchor?: string): Promise<void> {
    const upsertDoc = this.db.prepare(
      `INSERT INTO projection_documents (projection, doc_key, state) VALUES (?, ?, ?)
       ON CONFLICT (projection, doc_key) DO UPDATE SET state = excluded.state`,
    );
    const upsertCheckpoint = this.db.prepare(
      `INSERT INTO projection_checkpoints (projection, version, position, seal, anchor) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (projection) DO UPDATE SET version = excluded.version, position = excluded.position, seal = excluded.seal, anchor = excluded.anchor`,
    );
    // Serialised and sealed in slices of a few milliseconds, letting requests run between them: the
    // rows are immutable documents captured with the checkpoint, so the save still writes one state.
    const rows: Array<readonly [string, string]> = [];
    const macs: bigint[] = [];
    let slice = performance.now();
    for (const [key, doc] of Object.entries(changed)) {
      const json = JSON.stringify(doc);
      rows.push([key, json]);
      macs.push(this.seal?.rowMacOf(projection, key, json) ?? 0n);
      if (performance.now() - slice >= SAVE_SLICE_MS) {
        await setImmediate();
        slice = performance.now();
      }
    }
    // The new digest is worked out first and kept only once the transaction has committed.
    const sealed = this.seal ? (this.sealed.get(projection) ?? { macs: new Map<string, bigint>(), digest: 0n }) : null;
    let digest = sealed?.digest ?? 0n;
    if (sealed) {
      rows.forEach(([key], i) => {
        const before = sealed.macs.get(key);
        digest = RowSeal.add(before === undefined ? digest : RowSeal.remove(digest, before), macs[i]);
      });
    }
    const seal = sealed ? RowSeal.rowsText(RowSeal.add(digest, this.checkpointMac(projection, version, checkpoint, anchor ?? null))) : null;
    this.db.transaction(() => {
      for (const [key, json] of rows) upsertDoc.run(projection, key, json);
      upsertCheckpoint.run(projection, version, checkpoint, seal, anchor ?? null);
    }).immediate();
    if (sealed) {
      rows.forEach(([key], i) => sealed.macs.set(key, macs[i]));
      sealed.digest = digest;
      this.sealed.set(projection, sealed);
    }
  }

  async reset(projection: string): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM projection_documents WHERE projection = ?').run(projection);
      this.db.prepare('DELETE FROM projection_checkpoints WHERE projection = ?').run(projection);
    }).immediate();
    this.sealed.delete(projection);
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
