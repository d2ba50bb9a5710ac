import { setImmediate } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { addMissingColumns, openSideDatabase, type SideDatabaseOptions } from './plain-side-file';
import { assembleDocument, documentRows, type ChunkRow, type DocumentRows, type SavedList } from './document-lists';
import type { ProjectionStore, SaveOptions, StoredProjection } from './projection-store.port';
import { RowSeal } from './read-model-seal';

/**
 * Read-model tables, separate from the ledger's `events` table (they may live in the same SQLite file
 * or in their own): they are ordinary, updatable tables because a read model can always be rebuilt
 * from the log. Documents and checkpoint move in one transaction. A document whose projection names
 * lists that grow with its history (`DocumentLayout`: a casebook's entries) is saved as a head row
 * (`list_layouts` names the lists it lacks) and those lists in chunk rows (`projection_list_chunks`).
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
  );
  CREATE TABLE IF NOT EXISTS projection_list_chunks (
    projection TEXT NOT NULL,
    doc_key    TEXT NOT NULL,
    list       INTEGER NOT NULL,
    chunk      INTEGER NOT NULL,
    items      TEXT NOT NULL,
    PRIMARY KEY (projection, doc_key, list, chunk)
  );`;

/** Longest run of serialising and sealing rows in one save before it lets the event loop turn. */
const SAVE_SLICE_MS = 4;

/**
 * What the store knows of a projection's saved rows (from its last load or save): per document its
 * rows' HMACs and its lists as saved, and the seal's digest (the sum of the HMACs; 0 when unsealed).
 */
interface SavedRows {
  readonly docs: Map<string, SavedDocument>;
  digest: bigint;
}

interface SavedDocument {
  /** The HMAC of its head row (or whole row). */
  readonly mac: bigint;
  readonly lists: readonly SavedList[];
  /** Per list, its chunk rows' HMACs, in chunk order. */
  readonly chunkMacs: ReadonlyArray<readonly bigint[]>;
}

/** A document's rows ready to write, with their HMACs. */
interface DocumentWrite {
  readonly key: string;
  readonly rows: DocumentRows;
  readonly mac: bigint;
  readonly chunkMacs: readonly bigint[];
}

export interface SqliteProjectionStoreOptions extends Pick<SideDatabaseOptions, 'onUnreadable' | 'lockWaitMs'> {
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
  addMissingColumns(db, 'projection_documents', { list_layouts: 'TEXT' });
};

const groupByDocument = <Row extends { doc_key: string }>(rows: readonly Row[]): Map<string, Row[]> => {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const group = groups.get(row.doc_key);
    if (group === undefined) groups.set(row.doc_key, [row]);
    else group.push(row);
  }
  return groups;
};

export class SqliteProjectionStore implements ProjectionStore {
  private readonly db: Database.Database;
  private readonly ownsConnection: boolean;
  private readonly seal: RowSeal | null;
  private readonly saved = new Map<string, SavedRows>();

  /** A file name (`:memory:` for tests) or an open connection shared with the SQLite event store. */
  constructor(target: string | Database.Database, options: SqliteProjectionStoreOptions = {}) {
    ({ db: this.db, ownsConnection: this.ownsConnection } = openSideDatabase(target, { setup: prepareSchema, onUnreadable: options.onUnreadable, lockWaitMs: options.lockWaitMs }));
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
      .prepare<[string], { doc_key: string; state: string; list_layouts: string | null }>('SELECT doc_key, state, list_layouts FROM projection_documents WHERE projection = ?')
      .all(projection);
    const chunks = groupByDocument(
      this.db
        .prepare<[string], ChunkRow & { doc_key: string }>('SELECT doc_key, list, chunk, items FROM projection_list_chunks WHERE projection = ? ORDER BY doc_key, list, chunk')
        .all(projection),
    );
    const never: StoredProjection<Doc> = { checkpoint: 0, version: null, documents: {} };
    this.saved.delete(projection);
    const macs = new Map<string, bigint>();
    const chunkMacs = new Map<ChunkRow, bigint>();
    let digest = 0n;
    if (this.seal) {
      for (const row of rows) {
        const mac = this.rowMac(projection, row.doc_key, row.state, row.list_layouts);
        macs.set(row.doc_key, mac);
        digest = RowSeal.add(digest, mac);
      }
      for (const [key, group] of chunks) {
        for (const row of group) {
          const mac = this.seal.chunkMacOf(projection, key, row.list, row.chunk, row.items);
          chunkMacs.set(row, mac);
          digest = RowSeal.add(digest, mac);
        }
      }
      if (!head) return rows.length === 0 && chunks.size === 0 ? never : { ...never, altered: true };
      // Sealed by an earlier format: not checked, and loaded without rows or anchor, so they are rebuilt once, without an alarm.
      if (!RowSeal.isCurrentRowsFormat(head.seal) && head.seal !== null) return { checkpoint: head.position, version: head.version, anchor: null, documents: {} };
      if (head.seal !== RowSeal.rowsText(RowSeal.add(digest, this.checkpointMac(projection, head.version, head.position, head.anchor)))) return { ...never, altered: true };
    }
    if (!head) return never;
    const saved: SavedRows = { docs: new Map(), digest };
    const documents: Record<string, Doc> = {};
    for (const row of rows) {
      const group = chunks.get(row.doc_key) ?? [];
      chunks.delete(row.doc_key);
      const assembled = assembleDocument(row.state, row.list_layouts, group);
      // Rows that do not fit together were not written by one save (unsealed rows edited): rebuilt, like altered ones.
      if (assembled === null) return { ...never, altered: true };
      documents[row.doc_key] = assembled.doc as Doc;
      const listMacs = assembled.lists.map((): bigint[] => []);
      for (const chunk of group) listMacs[chunk.list].push(chunkMacs.get(chunk) ?? 0n);
      saved.docs.set(row.doc_key, { mac: macs.get(row.doc_key) ?? 0n, lists: assembled.lists, chunkMacs: listMacs });
    }
    if (chunks.size > 0) return { ...never, altered: true };
    this.saved.set(projection, saved);
    return { checkpoint: head.position, version: head.version, anchor: head.anchor, documents };
  }

  /** A head row is sealed with the layouts of its lists kept in chunk rows; a whole document as before. */
  private rowMac(projection: string, key: string, state: string, layouts: string | null): bigint {
    if (!this.seal) return 0n;
    return layouts === null ? this.seal.rowMacOf(projection, key, state) : this.seal.headMacOf(projection, key, layouts, state);
  }

  /**
   * Writes the changed documents and the checkpoint in one transaction. A document under a layout
   * writes its head and only the chunks of its lists whose items are not the very ones this store last
   * saved or loaded (so the rows written, and the bytes serialised and sealed, are those of what the
   * events since the last save changed, not the document's history). Like the seal's digest, this
   * counts on the rows being those this store last loaded or saved: a runner loads before it saves.
   */
  async save<Doc>(projection: string, version: number, checkpoint: number, changed: Readonly<Record<string, Doc>>, options: SaveOptions = {}): Promise<void> {
    const upsertDoc = this.db.prepare(
      `INSERT INTO projection_documents (projection, doc_key, state, list_layouts) VALUES (?, ?, ?, ?)
       ON CONFLICT (projection, doc_key) DO UPDATE SET state = excluded.state, list_layouts = excluded.list_layouts`,
    );
    const upsertChunk = this.db.prepare(
      `INSERT INTO projection_list_chunks (projection, doc_key, list, chunk, items) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (projection, doc_key, list, chunk) DO UPDATE SET items = excluded.items`,
    );
    const dropChunks = this.db.prepare('DELETE FROM projection_list_chunks WHERE projection = ? AND doc_key = ? AND list = ? AND chunk >= ?');
    const upsertCheckpoint = this.db.prepare(
      `INSERT INTO projection_checkpoints (projection, version, position, seal, anchor) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (projection) DO UPDATE SET version = excluded.version, position = excluded.position, seal = excluded.seal, anchor = excluded.anchor`,
    );
    const saved = this.saved.get(projection) ?? { docs: new Map<string, SavedDocument>(), digest: 0n };
    // Serialised and sealed in slices of a few milliseconds, letting requests run between them: the
    // rows are immutable documents captured with the checkpoint, so the save still writes one state.
    const writes: DocumentWrite[] = [];
    let slice = performance.now();
    for (const [key, doc] of Object.entries(changed)) {
      const rows = documentRows(doc, options.layout?.(key) ?? [], saved.docs.get(key)?.lists ?? []);
      const chunkMacs = rows.chunks.map((c) => this.seal?.chunkMacOf(projection, key, c.list, c.chunk, c.items) ?? 0n);
      writes.push({ key, rows, mac: this.rowMac(projection, key, rows.head, rows.layouts), chunkMacs });
      if (performance.now() - slice >= SAVE_SLICE_MS) {
        await setImmediate();
        slice = performance.now();
      }
    }
    // The new digest and records are worked out first and kept only once the transaction has committed.
    const { digest, docs } = nextSavedRows(saved, writes);
    const seal = this.seal ? RowSeal.rowsText(RowSeal.add(digest, this.checkpointMac(projection, version, checkpoint, options.anchor ?? null))) : null;
    this.db.transaction(() => {
      for (const { key, rows } of writes) {
        upsertDoc.run(projection, key, rows.head, rows.layouts);
        for (const chunk of rows.chunks) upsertChunk.run(projection, key, chunk.list, chunk.chunk, chunk.items);
        for (const drop of rows.drops) dropChunks.run(projection, key, drop.list, drop.from);
      }
      upsertCheckpoint.run(projection, version, checkpoint, seal, options.anchor ?? null);
    }).immediate();
    for (const [key, doc] of docs) saved.docs.set(key, doc);
    saved.digest = digest;
    this.saved.set(projection, saved);
  }

  async reset(projection: string): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM projection_documents WHERE projection = ?').run(projection);
      this.db.prepare('DELETE FROM projection_list_chunks WHERE projection = ?').run(projection);
      this.db.prepare('DELETE FROM projection_checkpoints WHERE projection = ?').run(projection);
    }).immediate();
    this.saved.delete(projection);
  }

  /** One saved document, put together from its rows; rows that do not fit together are an error, not a document. */
  async getDocument<Doc>(projection: string, key: string): Promise<Doc | null> {
    const row = this.db
      .prepare<[string, string], { state: string; list_layouts: string | null }>('SELECT state, list_layouts FROM projection_documents WHERE projection = ? AND doc_key = ?')
      .get(projection, key);
    if (!row) return null;
    const chunks = this.db
      .prepare<[string, string], ChunkRow>('SELECT list, chunk, items FROM projection_list_chunks WHERE projection = ? AND doc_key = ? ORDER BY list, chunk')
      .all(projection, key);
    const assembled = assembleDocument(row.state, row.list_layouts, chunks);
    if (assembled === null) throw new Error(`The saved rows of ${projection} ${key} do not fit together`);
    return assembled.doc as Doc;
  }

  async close(): Promise<void> {
    if (this.ownsConnection && this.db.open) this.db.close();
  }
}

/**
 * The saved rows' records and digest once `writes` are saved: each document's head HMAC replaced, the
 * HMACs of the chunks it wrote replaced or added, those of the chunks it dropped taken out.
 */
const nextSavedRows = (saved: SavedRows, writes: readonly DocumentWrite[]): { digest: bigint; docs: Map<string, SavedDocument> } => {
  let digest = saved.digest;
  const docs = new Map<string, SavedDocument>();
  for (const { key, rows, mac, chunkMacs } of writes) {
    const before = saved.docs.get(key);
    digest = RowSeal.add(before === undefined ? digest : RowSeal.remove(digest, before.mac), mac);
    const old = before?.chunkMacs ?? [];
    const macs = rows.lists.map((_, list) => [...(old[list] ?? [])]);
    for (const drop of rows.drops) {
      for (const dropped of (old[drop.list] ?? []).slice(drop.from)) digest = RowSeal.remove(digest, dropped);
      if (macs[drop.list] !== undefined) macs[drop.list].length = drop.from;
    }
    rows.chunks.forEach((chunk, i) => {
      const replaced = macs[chunk.list][chunk.chunk];
      digest = RowSeal.add(replaced === undefined ? digest : RowSeal.remove(digest, replaced), chunkMacs[i]);
      macs[chunk.list][chunk.chunk] = chunkMacs[i];
    });
    docs.set(key, { mac, lists: rows.lists, chunkMacs: macs });
  }
  return { digest, docs };
};
