import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CatchUpSubscription, LocalAppendNotifier } from '../catch-up-subscription';
import { GENESIS_HASH, type StoredEvent } from '../event-envelope';
import { NotALedgerError } from '../event-store.errors';
import { validateAppendRequest } from '../append/append-request';
import { validateReadAllOptions, validateReadStreamOptions } from '../read-options';
import { planAppend } from '../append/plan-append';
import type {
  AppendRequest,
  AppendResult,
  EventStore,
  IdempotencyRecord,
  LogHead,
  ReadAllOptions,
  ReadStreamOptions,
  Subscription,
  SubscriptionOptions,
} from '../event-store.port';
import { canonicalize } from 'json-canonicalize';
import { systemClock, type Clock } from '../clock';
import { storedEventOf, type ChainVerification, type RawEventRecord } from '../hash-chain';
import { verifySqliteFileParallel } from './sqlite-parallel-verify';
import { inspectSqliteStorage } from './sqlite-inspection';
import { MIGRATIONS, SQLITE_TRIGGERS } from './sqlite-schema';
import { SqliteGroupCommitWriter } from './sqlite-group-commit';
import { guardSqliteFile, type SqliteFileGuard } from './sqlite-file-guard';
import { BUSY_TIMEOUT_MS, guardedWrite, isSqliteLockWait, SQLITE_IO_ERROR_HOLD_MS, sqliteWriteCleared, sqliteWriteLockFree, withBusyTimeout, WRITE_ATTEMPT_BUSY_MS } from './sqlite-write-errors';
import { StoreWriteHealthTracker, type StoreWriteHealth } from '../store-write-health';
import type { StorageInspection, StorageInspector } from '../inspect-store';
import { checkImportBatch, type IdempotencyRecordSource } from '../ledger-importer';
import { SqliteMerkleNodes } from '../merkle/sqlite-merkle-nodes';
import type { NodeId } from '@trial-ledger/merkle';

import { deepFreeze } from '../deep-freeze';
import { EVENT_COLUMNS, toIdempotencyRecord, toStoredEvent, type EventRow, type IdempotencyRow } from './sqlite-rows';
import { SqliteStreamCache } from './sqlite-stream-cache';

export interface SqliteEventStoreOptions {
  readonly clock?: Clock;
  /** Poll interval of subscriptions, for appends made by other processes. */
  readonly pollMs?: number;
  /** How many parsed events the stream cache may hold (0 disables it). */
  readonly streamCacheEvents?: number;
  /**
   * How long appends wait for the write lock while another process holds it (a long import, a `sqlite3`
   * shell left in a transaction) before they are refused as `STORE.LOCKED`; the wait is a series of short
   * attempts, so the server answers other requests meanwhile. Default 10 s.
   */
  readonly writeLockWaitMs?: number;
}


/**
 * The embedded default store: one SQLite file in WAL mode with `synchronous=FULL`, so every commit is
 * fsynced before the append returns. Appends run in `BEGIN IMMEDIATE` transactions, which serialise
 * writers across processes; the hash chain is extended inside that transaction.
 */
export class SqliteEventStore implements EventStore, IdempotencyRecordSource, StorageInspector {
  readonly description: string;
  readonly localFile?: string;
  private readonly db: Database.Database;
  private readonly clock: Clock;
  private readonly notifier = new LocalAppendNotifier();
  private readonly pollMs: number;
  private readonly streamCache: SqliteStreamCache;
  /** The events written by the appends of the write transaction in progress, for the stream cache once it commits. */
  private batchEvents: RawEventRecord[] = [];
  private readonly statements;
  private readonly writer: SqliteGroupCommitWriter;
  private readonly merkle: SqliteMerkleNodes;
  private readonly guard: SqliteFileGuard | null; // refuses writes once the file is not the one opened
  private readonly lockWaitMs: number; // how long a write waits for a lock another process holds
  private readonly writes = new StoreWriteHealthTracker(
    (fault) => (fault === 'STORE.LOCKED' ? sqliteWriteLockFree(this.db) : this.localFile !== undefined && sqliteWriteCleared(this.localFile, fault)),
    SQLITE_IO_ERROR_HOLD_MS,
    ['STORE.IO_ERROR'],
  );

  constructor(readonly filename: string, options: SqliteEventStoreOptions = {}) {
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    this.db = new Database(filename);
    this.refuseForeignDatabase(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    [this.clock, this.lockWaitMs] = [options.clock ?? systemClock, options.writeLockWaitMs ?? BUSY_TIMEOUT_MS];
    this.pollMs = options.pollMs ?? 250;
    this.streamCache = new SqliteStreamCache(options.streamCacheEvents ?? 50_000);
    this.description = `sqlite:${filename}`;
    this.merkle = new SqliteMerkleNodes(this.db);
    if (filename !== ':memory:') this.localFile = filename;
    this.statements = {
      streamVersion: this.db.prepare<[string], { v: number | null }>('SELECT MAX(stream_version) AS v FROM events WHERE stream_id = ?'),
      head: this.db.prepare<[], { global_position: number; hash: string; recorded_at: string }>(
        'SELECT global_position, hash, recorded_at FROM events ORDER BY global_position DESC LIMIT 1',
      ),
      insert: this.db.prepare(
        `INSERT INTO events (global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata,
                             recorded_at, prev_hash, hash, idempotency_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      withKey: this.db.prepare<[string], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE idempotency_key = ? ORDER BY global_position`),
      byId: this.db.prepare<[string], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = ?`),
      dataVersion: this.db.prepare('PRAGMA data_version').pluck(),
      streamTail: this.db.prepare<[string, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND stream_version > ? ORDER BY stream_version`,
      ),
      stream: this.db.prepare<[string, number, string], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND global_position <= ? AND recorded_at <= ?
         ORDER BY stream_version`,
      ),
      batch: this.db.prepare<[number, number, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE global_position > ? AND global_position <= ? ORDER BY global_position LIMIT ?`,
      ),
      rawBatch: this.db
        .prepare<[number, number, number], unknown[]>(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE global_position > ? AND global_position <= ? ORDER BY global_position LIMIT ?`,
        )
        .raw(true),
      positionAt: this.db.prepare<[string], { p: number | null }>('SELECT MAX(global_position) AS p FROM events WHERE recorded_at <= ?'),
    };
    this.guard = this.localFile === undefined ? null : guardSqliteFile(this.localFile, () => this.statements.head.get() ?? null, () => this.statements.batch.get(0, 1, 1)?.hash ?? null);
    // The file guard's check precedes every write transaction; storage errors become 503s and feed readiness.
    this.writer = new SqliteGroupCommitWriter(this.db, (request) => this.writeAppend(request), {
      aroundWriteTransaction: (write) => {
        this.batchEvents = [];
        return withBusyTimeout(this.db, WRITE_ATTEMPT_BUSY_MS, () => guardedWrite(this.guard, this.writes, write));
      },
      isLockWait: isSqliteLockWait,
      lockWaitMs: this.lockWaitMs,
      afterCommit: (head) => {
        if (this.streamCache.limit > 0) this.streamCache.committed(this.batchEvents, (raw) => deepFreeze(storedEventOf(raw)));
        this.batchEvents = [];
        this.notifier.notify(head);
      },
    });
  }

  /** Readiness: red while the last write failed for a cause that has not cleared, or for good once the file was replaced. */
  writeHealth(): Promise<StoreWriteHealth> {
    return this.writes.health();
  }

  /**
   * A file that is not a ledger must be left exactly as it was: creating the ledger schema (or even
   * switching it to WAL) inside another application's database would be a write nobody asked for, and
   * `verify` would then report that database as an intact, empty ledger. A ledger is a file with no
   * schema yet (new) or one this class migrated (`user_version` ≥ 1).
   */
  private refuseForeignDatabase(filename: string): void {
    let foreign: boolean;
    try {
      const version = this.db.pragma('user_version', { simple: true }) as number;
      foreign = version === 0 && this.db.prepare("SELECT 1 FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' LIMIT 1").get() !== undefined;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_NOTADB') throw error;
      foreign = true;
    }
    if (foreign) {
      this.db.close();
      throw new NotALedgerError(`${filename} is not a trial-ledger ledger: it is not an SQLite database or holds another application's tables`);
    }
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    for (let version = current; version < MIGRATIONS.length; version += 1) {
      this.db.transaction(() => {
        const migration = MIGRATIONS[version];
        if (typeof migration === 'string') this.db.exec(migration);
        else migration(this.db);
        this.db.pragma(`user_version = ${version + 1}`);
      }).immediate();
    }
  }

  /** Appends go through the group-commit writer: concurrent appends share one transaction and one fsync. */
  async append(request: AppendRequest): Promise<AppendResult> {
    validateAppendRequest(request);
    try {
      return await this.writer.submit(request);
    } catch (error) {
      // The writer gave up waiting for a lock held elsewhere: readiness is red until it is free (other faults were recorded already).
      throw isSqliteLockWait(error) ? this.writes.seen(error) : error;
    }
  }

  /**
   * I/O only, inside the writer's transaction: reads what `planAppend` needs (the head and versions
   * include the batch's earlier appends) and writes what it decided.
   */
  private writeAppend(request: AppendRequest): AppendResult {
    const key = request.idempotencyKey ?? null;
    const head = this.statements.head.get();
    const plan = planAppend(
      request,
      {
        head: head ? { position: head.global_position, hash: head.hash, recordedAt: head.recorded_at } : { position: 0, hash: GENESIS_HASH, recordedAt: null },
        versionOf: (streamId) => this.statements.streamVersion.get(streamId)?.v ?? 0,
        keyCandidates: key === null ? [] : this.statements.withKey.all(key).map(toStoredEvent),
      },
      this.clock.now(),
    );
    if (plan.kind === 'repeat') return plan.result;
    for (const row of plan.extension.rows) {
      this.statements.insert.run(
        row.globalPosition, row.eventId, row.streamId, row.streamVersion, row.type, row.schemaVersion,
        row.dataJson, row.metadataJson, row.recordedAt, row.prevHash, row.hash, key,
      );
    }
    // Kept at once for the next append of the batch: a kept range is only reused by an append whose head
    // is exactly its head, so one left by a batch that was rolled back is never used.
    this.merkle.extend(plan.extension.rows)();
    // Last: an append that threw before here is rolled back to its savepoint and added nothing.
    if (this.streamCache.limit > 0) this.batchEvents.push(...plan.extension.rows);
    return plan.result;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    validateReadStreamOptions(options);
    if (options.toPosition === undefined && options.asKnownAt === undefined) return [...this.currentStream(streamId)];
    const rows = this.statements.stream.all(
      streamId,
      options.toPosition ?? Number.MAX_SAFE_INTEGER,
      options.asKnownAt ?? '9999-12-31T23:59:59.999Z',
    );
    return rows.map(toStoredEvent);
  }

  /**
   * The whole stream, from the stream cache (`SqliteStreamCache`: read-through, and written through by
   * this connection's commits, so a cached stream costs one `PRAGMA data_version` and no query). Any
   * commit by another connection — another process's append, or someone altering the file behind the
   * triggers' back — changes `data_version` and empties the cache, so a read never hides what is stored
   * (signature and chain verification rely on that). Cached events are frozen, so no caller can alter
   * what another caller will be given.
   */
  private currentStream(streamId: string): readonly StoredEvent[] {
    if (this.streamCache.limit === 0) return this.statements.streamTail.all(streamId, 0).map(toStoredEvent);
    const cached = this.cachedStream(streamId);
    if (cached !== undefined) return cached;
    const events = this.statements.streamTail.all(streamId, 0).map((row) => deepFreeze(toStoredEvent(row)));
    this.streamCache.keep(streamId, events);
    return events;
  }

  /** The stream as cached, once the cache is known to be current (no other connection committed since). */
  private cachedStream(streamId: string): readonly StoredEvent[] | undefined {
    this.streamCache.checkDataVersion(this.statements.dataVersion.get() as number);
    return this.streamCache.get(streamId);
  }

  /** A stream's current version: from the stream cache when it holds the stream, else one indexed query. */
  async streamVersion(streamId: string): Promise<number> {
    const cached = this.streamCache.limit > 0 ? this.cachedStream(streamId) : undefined;
    if (cached !== undefined) return cached.at(-1)!.streamVersion;
    return this.statements.streamVersion.get(streamId)?.v ?? 0;
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    validateReadAllOptions(options);
    const batchSize = options.batchSize ?? 1000;
    const to = options.toPosition ?? Number.MAX_SAFE_INTEGER;
    let after = options.afterPosition ?? 0;
    for (;;) {
      const rows = this.statements.batch.all(after, to, batchSize);
      for (const row of rows) yield toStoredEvent(row);
      if (rows.length < batchSize) return;
      after = rows[rows.length - 1].global_position;
    }
  }

  async *readAllRaw(options: ReadAllOptions = {}): AsyncIterable<RawEventRecord> {
    validateReadAllOptions(options);
    const batchSize = options.batchSize ?? 5000;
    const to = options.toPosition ?? Number.MAX_SAFE_INTEGER;
    let after = options.afterPosition ?? 0;
    for (;;) {
      const rows = this.statements.rawBatch.all(after, to, batchSize) as Array<[number, string, string, number, string, number, string, string, string, string, string]>;
      for (const r of rows) {
        yield {
          globalPosition: r[0], eventId: r[1], streamId: r[2], streamVersion: r[3], type: r[4], schemaVersion: r[5],
          dataJson: r[6], metadataJson: r[7], recordedAt: r[8], prevHash: r[9], hash: r[10],
        };
      }
      if (rows.length < batchSize) return;
      after = rows[rows.length - 1][0];
    }
  }

  async positionAt(instant: string): Promise<number> {
    return this.statements.positionAt.get(instant)?.p ?? 0;
  }

  async head(): Promise<LogHead> {
    const head = this.statements.head.get();
    return head
      ? { position: head.global_position, hash: head.hash, recordedAt: head.recorded_at }
      : { position: 0, hash: GENESIS_HASH, recordedAt: null };
  }

  async getEvent(eventId: string): Promise<StoredEvent | null> {
    const row = this.statements.byId.get(eventId);
    return row ? toStoredEvent(row) : null;
  }

  async eventsWithIdempotencyKey(key: string): Promise<StoredEvent[]> {
    return this.statements.withKey.all(key).map(toStoredEvent);
  }

  subscribe(options: SubscriptionOptions): Subscription {
    return new CatchUpSubscription((o) => this.readAll(o), this.notifier, options, this.pollMs);
  }

  subscribeRaw(options: SubscriptionOptions<RawEventRecord>): Subscription {
    return new CatchUpSubscription((o) => this.readAllRaw(o), this.notifier, options, this.pollMs);
  }

  /**
   * Store-native verification of the whole chain: parallel over the file with one worker per core
   * (used by `verifyStore` for large logs; an in-memory database falls back to the sequential path).
   */
  async verifyChain(): Promise<ChainVerification | null> {
    if (this.filename === ':memory:') return null;
    const head = (await this.head()).position;
    return verifySqliteFileParallel(this.filename, head);
  }

  /**
   * `LedgerImporter` (ledger migration): stores events recorded elsewhere with their ids, positions,
   * `recordedAt` and hashes unchanged, after checking that they extend this log's chain exactly.
   */
  async importEvents(events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    // Written past the group-commit writer: the cached streams are read again.
    this.streamCache.clear();
    // Checked and mapped as appends are: a full disk halfway through a migration is STORE.DISK_FULL, and
    // the file guard counts this write as the server's own; a lock held elsewhere is waited for as an append's is.
    withBusyTimeout(this.db, this.lockWaitMs, () => guardedWrite(this.guard, this.writes, () => this.db
      .transaction(() => {
        const head = this.statements.head.get();
        checkImportBatch(
          head ? { position: head.global_position, hash: head.hash, recordedAt: head.recorded_at } : { position: 0, hash: GENESIS_HASH, recordedAt: null },
          events,
          (streamId) => this.statements.streamVersion.get(streamId)?.v ?? 0,
        );
        for (const e of events) {
          this.statements.insert.run(
            e.globalPosition, e.eventId, e.streamId, e.streamVersion, e.type, e.schemaVersion,
            canonicalize(e.data), canonicalize(e.metadata), e.metadata.recordedAt, e.prevHash, e.hash, e.metadata.idempotencyKey ?? null,
          );
        }
        return this.merkle.extend(events.map((e) => ({ globalPosition: e.globalPosition, prevHash: e.prevHash, hash: e.hash })));
      })
      .immediate()()));
    this.notifier.notify(events[events.length - 1].globalPosition);
  }

  /** Side records and defences outside the chain (`inspectStore`). */
  async inspectStorage(): Promise<StorageInspection> {
    return inspectSqliteStorage(this.db, SQLITE_TRIGGERS);
  }

  readonly idempotencyRecordTable = 'idempotency_keys';

  /** Rows an earlier version wrote to `idempotency_keys` (nothing writes it now), for `inspectStore`. */
  async *readIdempotencyRecords(): AsyncIterable<IdempotencyRecord> {
    const page = this.db.prepare<[string], IdempotencyRow>('SELECT * FROM idempotency_keys WHERE idempotency_key > ? ORDER BY idempotency_key LIMIT 1000');
    let after = '';
    for (;;) {
      const rows = page.all(after);
      for (const row of rows) {
        yield toIdempotencyRecord(row);
      }
      if (rows.length < 1000) return;
      after = rows[rows.length - 1].idempotency_key;
    }
  }

  /** Hashes of complete subtrees of the RFC 9162 tree over the log (level 0: from the events' hashes). */
  async treeNodes(ids: readonly NodeId[]): Promise<Map<string, Buffer>> {
    return this.merkle.treeNodes(ids);
  }

  /** The underlying connection, for adapters in this lib (projection checkpoints, benchmarks). */
  get database(): Database.Database {
    return this.db;
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.writer.flush(true);
    this.db.close();
    this.guard?.close();
  }
}
