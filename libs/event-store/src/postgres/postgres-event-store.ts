import { canonicalize } from 'json-canonicalize';
import { Pool, type ClientConfig } from 'pg';
import { CatchUpSubscription } from '../catch-up-subscription';
import { systemClock, type Clock } from '../clock';
import type { StoredEvent } from '../event-envelope';
import type {
  AppendRequest,
  AppendResult,
  EventStore,
  IdempotencyRecord,
  LogHead,
  ServerStateSql,
  ReadAllOptions,
  ReadStreamOptions,
  Subscription,
  SubscriptionOptions,
} from '../event-store.port';
import type { ChainVerification, RawEventRecord } from '../hash-chain';
import type { IdempotencyRecordSource, LedgerImporter } from '../ledger-importer';
import { isStorableName, validateAppendRequest } from '../append/append-request';
import { validateReadAllOptions, validateReadStreamOptions } from '../read-options';
import { StoreWriteError } from '../event-store.errors';
import { StoreWriteHealthTracker, type StoreWriteHealth } from '../store-write-health';
import type { StoreWarningListener } from '../store-warning';
import { PostgresAppender } from './postgres-appender';
import { PostgresAppendNotifier } from './postgres-append-notifier';
import { APPEND_LOCK, droppedBecause, isDroppedConnection, mapPostgresError, queryRows, redactPostgresUrl, WRITABLE_SQL } from './postgres-connection';
import { importPostgresEvents } from './postgres-import';
import { migratePostgres } from './postgres-migrations';
import { inspectPostgresStorage } from './postgres-inspection';
import type { StorageInspection, StorageInspector } from '../inspect-store';
import { readAllEvents, readAllRawRecords, readHead } from './postgres-reads';
import { EVENT_COLUMNS, toIdempotencyRecord, toStoredEvent, type EventRow, type IdempotencyRow } from './postgres-rows';
import { verifyPostgresChain, type PostgresVerifyOptions } from './postgres-verify';
import { PostgresMerkleNodes, readPostgresTreeNodes } from '../merkle/postgres-merkle-nodes';
import type { NodeId } from '@trial-ledger/merkle';

export { APPEND_CHANNEL } from './postgres-append-notifier';
export { mapPostgresError, redactPostgresUrl } from './postgres-connection';
export { RAW_WINDOW_SQL } from './postgres-reads';
export type { PostgresVerifyOptions } from './postgres-verify';

/** How long a disk-full or I/O fault keeps a PostgreSQL instance out of rotation before writes are tried again. */
const WRITE_FAULT_HOLD_MS = 10_000;

const READ_STREAM_SQL = `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY stream_version`;

/**
 * The stream first, then the bounds: left to itself the planner AND-ed the stream index with a scan
 * of every `recorded_at` (or position) up to the bound — the whole log for a recent instant.
 */
const READ_STREAM_AS_OF_SQL = `WITH stream AS MATERIALIZED (SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1)
  SELECT * FROM stream WHERE global_position <= $2 AND recorded_at <= $3 ORDER BY stream_version`;

export interface PostgresEventStoreOptions {
  readonly clock?: Clock;
  /** Poll interval of subscriptions; NOTIFY normally wakes them long before. */
  readonly pollMs?: number;
  /** Connections in the pool used for appends and reads. */
  readonly poolSize?: number;
  /**
   * True (the default): an append is one round trip, checked and written by `ledger_append` against the
   * head this process last saw (`PostgresAppender`). False: every append reads under the lock first
   * (four round trips); the benchmark compares the two, and the tests prove they store the same rows.
   */
  readonly oneRoundTripAppend?: boolean;
  /**
   * How long an append (or an imported batch) waits for the append lock that another session holds (a
   * stuck tool, a process paused mid-append): PostgreSQL's `lock_timeout`, set for the append's own
   * transaction. It is then refused as `STORE.LOCKED`, instead of waiting, with every append of this
   * process queued behind it, for as long as the holder lives. Default 10 s.
   */
  readonly appendLockTimeoutMs?: number;
  /**
   * How long the store waits for the answer to one statement (the `pg` client's `query_timeout`) before
   * the statement fails as `STORE.UNAVAILABLE` and its connection is dropped: a server that stopped
   * answering (hung, or across a network partition that sends no reset) would otherwise hold every append
   * of the process for as long as TCP keeps the connection. Above the lock wait; migrations have none. Default 30 s.
   */
  readonly queryTimeoutMs?: number;
  /** Where a dropped idle connection is reported (`STORE.CONNECTION_LOST`); without it, nothing is said. */
  readonly onWarning?: StoreWarningListener;
}

/** The default `appendLockTimeoutMs`: far above an append's time under the lock, well below a client's patience. */
const APPEND_LOCK_TIMEOUT_MS = 10_000;

/** The default `queryTimeoutMs`: the lock wait and the append's own work, with room to spare. */
const QUERY_TIMEOUT_MS = 30_000;

/**
 * The PostgreSQL ledger (`postgres://…`). One `events` table, one row per event, written only by
 * INSERT inside an append transaction that holds a global advisory lock; `synchronous_commit` is left
 * at PostgreSQL's default (on), so an append returns only once its WAL record is flushed. The parts
 * live beside this file by responsibility: connection and errors, migrations, LISTEN/NOTIFY, append,
 * reads, verification and import.
 */
export class PostgresEventStore implements EventStore, LedgerImporter, IdempotencyRecordSource, StorageInspector {
  readonly description: string;
  private readonly clock: Clock;
  private readonly pollMs: number;
  private readonly notifier: PostgresAppendNotifier;
  private closed = false;
  private readonly merkle = new PostgresMerkleNodes();
  private readonly appender: PostgresAppender;
  private readonly lockWaitMs: number;
  /** Sessions and rate-limit counters of every API instance on this database (not ledger data: updatable tables). */
  readonly serverState: ServerStateSql = {
    // A session or rate-limit write refused as read-only takes the instance out of rotation like an append would.
    query: <R extends object>(text: string, values?: readonly unknown[], name?: string): Promise<R[]> =>
      queryRows<R>(this.pool, text, values === undefined ? [] : [...values], name).catch((error: unknown) => {
        throw this.writes.seen(error);
      }),
  };
  /**
   * Readiness after a failed write: a read-only database is asked whether it still is; for a full disk
   * or an I/O error nothing cheap can tell, so the instance stays out of rotation for a while and then
   * lets the next write find out.
   */
  private readonly writes = new StoreWriteHealthTracker(async (fault) => {
    if (fault === 'STORE.LOCKED') {
      // Free when it can be taken at once (and released with the statement's transaction).
      const rows = await queryRows<{ free: boolean }>(this.pool, `SELECT pg_try_advisory_xact_lock(${APPEND_LOCK}) AS free`);
      return rows[0]?.free === true;
    }
    // A read-only database or role is asked, not held for a while and then taken as cleared.
    if (fault !== 'STORE.READ_ONLY') return false;
    return this.writable();
  }, WRITE_FAULT_HOLD_MS, ['STORE.DISK_FULL', 'STORE.IO_ERROR', 'STORE.LOCKED']);

  /** Whether the database takes this role's writes (not a standby, not read-only, the privileges granted). */
  private async writable(): Promise<boolean> {
    const rows = await queryRows<{ writable: boolean }>(this.pool, WRITABLE_SQL);
    return rows[0]?.writable === true;
  }

  private constructor(
    private readonly pool: Pool,
    config: ClientConfig,
    url: string,
    options: PostgresEventStoreOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.pollMs = options.pollMs ?? 1000;
    this.notifier = new PostgresAppendNotifier(config, (error) =>
      options.onWarning?.({
        code: 'STORE.CONNECTION_LOST',
        message: `the LISTEN connection of ${redactPostgresUrl(url)} was dropped (${droppedBecause(error)}); subscriptions poll for new events until it is open again`,
      }),
    );
    this.description = redactPostgresUrl(url);
    this.lockWaitMs = options.appendLockTimeoutMs ?? APPEND_LOCK_TIMEOUT_MS;
    this.appender = new PostgresAppender(pool, this.merkle, options.oneRoundTripAppend ?? true, this.lockWaitMs);
  }

  /** Connects, applies pending migrations, and returns a ready store. */
  static async connect(url: string, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    const config: ClientConfig = { connectionString: url, connectionTimeoutMillis: 10_000 };
    const pool = new Pool({ ...config, query_timeout: options.queryTimeoutMs ?? QUERY_TIMEOUT_MS, max: options.poolSize ?? 10 });
    // A pooled connection that dies (server restart, pg_terminate_backend) must not crash the process:
    // idle ones are reported to the pool, checked-out ones to the client itself, and a client with no
    // 'error' listener would be an unhandled 'error' event. The query that used it fails with
    // STORE.UNAVAILABLE (mapPostgresError); the pool discards it and the next query reconnects.
    // Each connection dropped so is said once, as a warning: an idle one (nothing failed), one in use (its
    // query failed; it is released with that error, which names the cause), the LISTEN connection (the store's
    // subscriptions poll meanwhile) — a server or network that keeps dropping connections is worth an
    // operator's look. The pg message names the cause, never the password.
    const lost = new WeakSet<object>();
    const where = redactPostgresUrl(url);
    const warnLost = (client: object, what: string, error: Error, after: string): void => {
      if (lost.has(client)) return;
      lost.add(client);
      options.onWarning?.({ code: 'STORE.CONNECTION_LOST', message: `${what} was dropped (${droppedBecause(error)}); ${after}` });
    };
    pool.on('error', (error: Error, client) => warnLost(client, `an idle PostgreSQL connection of ${where}`, error, 'the next query opens a new one'));
    pool.on('release', (error: unknown, client) => {
      if (error instanceof Error && isDroppedConnection(error)) {
        warnLost(client, `a PostgreSQL connection of ${where} in use by a query`, error, 'that query failed (STORE.UNAVAILABLE), the next one opens a new connection');
      }
    });
    pool.on('connect', (client) => client.on('error', () => undefined));
    // Migrations on a connection of their own, without the query timeout: a schema change of a large ledger may take long.
    const migrations = new Pool({ ...config, max: 1 });
    migrations.on('error', () => undefined);
    try {
      await migratePostgres(migrations);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw mapPostgresError(error);
    } finally {
      await migrations.end().catch(() => undefined);
    }
    const store = new PostgresEventStore(pool, config, url, options);
    // A role that may only read starts, for reads and verification, but is out of rotation from the start.
    if (!(await store.writable().catch(() => true))) {
      store.writes.seen(new StoreWriteError('STORE.READ_ONLY', 'PostgreSQL does not take writes from this role (a standby, a read-only session, or privileges missing); nothing can be written'));
    }
    return store;
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    validateAppendRequest(request);
    // Canonical JSON of the data does not depend on the head: computed before taking the lock.
    const dataJson = new Map(request.writes.flatMap((w) => w.events.map((e) => [e.eventId, canonicalize(e.data)] as const)));
    let result: AppendResult;
    try {
      result = await this.appender.append(request, () => this.clock.now(), dataJson);
    } catch (error) {
      throw this.writes.seen(error);
    }
    this.writes.succeeded();
    if (!result.repeated) this.notifier.notify(result.lastPosition);
    return result;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    validateReadStreamOptions(options);
    // A name no append may store (`isStorableName`) names nothing; sent as a parameter, U+0000 would fail the query.
    if (!isStorableName(streamId)) return [];
    // Every command reads its streams: the plain read is a prepared statement on the stream index.
    const rows =
      options.toPosition === undefined && options.asKnownAt === undefined
        ? await queryRows<EventRow>(this.pool, READ_STREAM_SQL, [streamId], 'trial-ledger.read-stream')
        : await queryRows<EventRow>(this.pool, READ_STREAM_AS_OF_SQL, [
            streamId,
            options.toPosition ?? Number.MAX_SAFE_INTEGER,
            options.asKnownAt ?? '9999-12-31T23:59:59.999Z',
          ]);
    return rows.map(toStoredEvent);
  }

  async streamVersion(streamId: string): Promise<number> {
    if (!isStorableName(streamId)) return 0;
    const rows = await queryRows<{ v: number | null }>(this.pool, 'SELECT MAX(stream_version) AS v FROM events WHERE stream_id = $1', [streamId]);
    return rows[0]?.v ?? 0;
  }

  // Generators, so that a refused read rejects at its first step as on every other store.
  async *readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    validateReadAllOptions(options);
    yield* readAllEvents(this.pool, options);
  }

  async *readAllRaw(options: ReadAllOptions = {}): AsyncIterable<RawEventRecord> {
    validateReadAllOptions(options);
    yield* readAllRawRecords(this.pool, options);
  }

  /** Parallel verification over several connections (see `verifyPostgresChain`). */
  async verifyChain(options: PostgresVerifyOptions = {}): Promise<ChainVerification> {
    return verifyPostgresChain(this.pool, (await this.head()).position, options);
  }

  async positionAt(instant: string): Promise<number> {
    const rows = await queryRows<{ p: string | null }>(this.pool, 'SELECT MAX(global_position) AS p FROM events WHERE recorded_at <= $1', [instant]);
    return Number(rows[0]?.p ?? 0);
  }

  async head(): Promise<LogHead> {
    try {
      return await readHead(this.pool);
    } catch (error) {
      throw mapPostgresError(error);
    }
  }

  async getEvent(eventId: string): Promise<StoredEvent | null> {
    if (!isStorableName(eventId)) return null;
    const rows = await queryRows<EventRow>(this.pool, `SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = $1`, [eventId]);
    return rows[0] ? toStoredEvent(rows[0]) : null;
  }

  async eventsWithIdempotencyKey(key: string): Promise<StoredEvent[]> {
    if (!isStorableName(key)) return [];
    const rows = await queryRows<EventRow>(this.pool, `SELECT ${EVENT_COLUMNS} FROM events WHERE idempotency_key = $1 ORDER BY global_position`, [key]);
    return rows.map(toStoredEvent);
  }

  /** Side records, triggers and role separation, outside the chain (`inspectStore`). */
  inspectStorage(): Promise<StorageInspection> {
    return inspectPostgresStorage(this.pool);
  }

  readonly idempotencyRecordTable = 'idempotency_keys';

  /** Rows an earlier version wrote to `idempotency_keys` (nothing writes it now), for `inspectStore`. */
  async *readIdempotencyRecords(): AsyncIterable<IdempotencyRecord> {
    let after = '';
    for (;;) {
      const rows = await queryRows<IdempotencyRow>(
        this.pool,
        'SELECT * FROM idempotency_keys WHERE idempotency_key > $1 ORDER BY idempotency_key LIMIT 1000',
        [after],
      );
      for (const row of rows) yield toIdempotencyRecord(row);
      if (rows.length < 1000) return;
      after = rows[rows.length - 1].idempotency_key;
    }
  }

  async importEvents(events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    await importPostgresEvents(this.pool, events, this.merkle, this.lockWaitMs);
    this.notifier.notify(events[events.length - 1].globalPosition);
  }

  /** Readiness: red while the last write failed for a cause that has not cleared. */
  writeHealth(): Promise<StoreWriteHealth> {
    return this.writes.health();
  }

  subscribe(options: SubscriptionOptions): Subscription {
    void this.notifier.listen();
    return new CatchUpSubscription((o) => this.readAll(o), this.notifier, options, this.pollMs);
  }

  subscribeRaw(options: SubscriptionOptions<RawEventRecord>): Subscription {
    void this.notifier.listen();
    return new CatchUpSubscription((o) => this.readAllRaw(o), this.notifier, options, this.pollMs);
  }

  /** The connection pool, for adapters in this lib (projection checkpoints, benchmarks). */
  /** Hashes of complete subtrees of the RFC 9162 tree over the log, in one round trip. */
  async treeNodes(ids: readonly NodeId[]): Promise<Map<string, Buffer>> {
    try {
      return await readPostgresTreeNodes(this.pool, ids);
    } catch (error) {
      throw mapPostgresError(error);
    }
  }

  get connectionPool(): Pool {
    return this.pool;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.notifier.close();
    await this.pool.end();
  }
}
