import { availableParallelism } from 'node:os';
import { canonicalize } from 'json-canonicalize';
import { Client, Pool, type ClientConfig, type PoolClient } from 'pg';
import { CatchUpSubscription, LocalAppendNotifier, type AppendNotifier } from '../catch-up-subscription';
import { systemClock, type Clock } from '../clock';
import { GENESIS_HASH, type EventMetadata, type StoredEvent } from '../event-envelope';
import { ConcurrencyError, IdempotencyKeyReusedError, InvalidAppendError, StoreUnavailableError } from '../event-store.errors';
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
import { ChainVerifier, canonicalJsonFromRaw, chainHash, type ChainVerification, type RawEventRecord } from '../hash-chain';
import { checkImportBatch, type IdempotencyRecordSource, type LedgerImporter } from '../ledger-importer';
import { nextRecordedAt } from '../recorded-at';
import { joinRangeReports, type RangeReport } from '../sqlite/sqlite-parallel-verify';
import { MIGRATIONS } from './postgres-schema';
import { PostgresMerkleNodes, readPostgresTreeNodes } from '../merkle/postgres-merkle-nodes';
import type { NodeId } from '@trial-ledger/merkle';

/** NOTIFY channel that wakes catch-up subscriptions in every process connected to the database. */
export const APPEND_CHANNEL = 'trial_ledger_appended';

/**
 * Every append takes this transaction-scoped advisory lock first, so appenders on any connection of
 * any process are serialised: the next global position and the previous hash are read and extended
 * by one writer at a time, which keeps positions gapless and the chain linear.
 */
const APPEND_LOCK = `hashtextextended('trial-ledger.append', 0)`;
const MIGRATION_LOCK = `hashtextextended('trial-ledger.migrate', 0)`;

const EVENT_COLUMNS =
  'global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, prev_hash, hash';

interface EventRow {
  global_position: string;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  recorded_at: string;
  prev_hash: string;
  hash: string;
}

/** An event on its way into the table, with the canonical JSON texts that were hashed. */
interface InsertRow {
  readonly event: StoredEvent;
  readonly dataJson: string;
  readonly metadataJson: string;
}

/** A row of `RAW_BATCH_SQL` in array mode: JSON columns as their stored text. */
type RawRow = [string, string, string, number, string, number, string, string, string, string, string];

/**
 * One window of positions `($1, $2]`. Windows are at most a batch wide, never "everything after $1
 * LIMIT n": before ANALYZE has run (a fresh or just-migrated ledger) PostgreSQL guesses such an
 * open range at a fraction of the table, and chose to sort every remaining row for each batch — a
 * whole-log replay became quadratic (18,000–39,000 events/s at 100,000 events). A window caps the
 * work of any plan at one batch.
 */
export const RAW_WINDOW_SQL = `SELECT global_position, event_id, stream_id, stream_version, type, schema_version, data::text, metadata::text,
                               recorded_at, prev_hash, hash
                          FROM events WHERE global_position > $1 AND global_position <= $2 ORDER BY global_position`;

const READ_STREAM_SQL = `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY stream_version`;

/**
 * The stream first, then the bounds: left to itself the planner AND-ed the stream index with a scan
 * of every `recorded_at` (or position) up to the bound — the whole log for a recent instant.
 */
const READ_STREAM_AS_OF_SQL = `WITH stream AS MATERIALIZED (SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1)
  SELECT * FROM stream WHERE global_position <= $2 AND recorded_at <= $3 ORDER BY stream_version`;

/** The first stored position after a short window: the end of the log, or the far side of a gap. */
const NEXT_POSITION_SQL = 'SELECT MIN(global_position) AS p FROM events WHERE global_position > $1 AND global_position <= $2';

/** Verification ranges below this many events are not worth a connection of their own. */
const MIN_VERIFY_RANGE = 25_000;

const toRawRecord = (r: RawRow): RawEventRecord => ({
  globalPosition: Number(r[0]),
  eventId: r[1],
  streamId: r[2],
  streamVersion: r[3],
  type: r[4],
  schemaVersion: r[5],
  dataJson: r[6],
  metadataJson: r[7],
  recordedAt: r[8],
  prevHash: r[9],
  hash: r[10],
});

interface IdempotencyRow {
  idempotency_key: string;
  request_hash: string | null;
  event_ids: string[];
  stream_versions: Record<string, number>;
  last_position: string;
  recorded_at: string;
}

/** The stored columns are the truth: `recordedAt` comes from its own column so altering it breaks the hash. */
const toStoredEvent = (row: EventRow): StoredEvent => ({
  eventId: row.event_id,
  type: row.type,
  schemaVersion: row.schema_version,
  streamId: row.stream_id,
  streamVersion: row.stream_version,
  globalPosition: Number(row.global_position),
  data: row.data,
  metadata: { ...row.metadata, recordedAt: row.recorded_at },
  prevHash: row.prev_hash,
  hash: row.hash,
});

const toIdempotencyRecord = (row: IdempotencyRow): IdempotencyRecord => ({
  key: row.idempotency_key,
  requestHash: row.request_hash,
  eventIds: row.event_ids,
  streamVersions: row.stream_versions,
  lastPosition: Number(row.last_position),
  recordedAt: row.recorded_at,
});

/** Connection failures become `StoreUnavailableError` (503 at the edge); everything else passes through. */
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN']);
export const mapPostgresError = (error: unknown): unknown => {
  if (error instanceof ConcurrencyError || error instanceof IdempotencyKeyReusedError || error instanceof InvalidAppendError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string') {
    if (CONNECTION_ERRNOS.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') {
      return new StoreUnavailableError(`PostgreSQL is unavailable: ${message}`, error);
    }
  }
  if (/Connection terminated|connection timeout|Client has encountered a connection error/i.test(message)) {
    return new StoreUnavailableError(`PostgreSQL is unavailable: ${message}`, error);
  }
  return error;
};

/** The URL without its password, for logs. */
export const redactPostgresUrl = (url: string): string => {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString().replace(/:@/, '@');
  } catch {
    return 'postgres://(unparseable URL)';
  }
};

export interface PostgresEventStoreOptions {
  readonly clock?: Clock;
  /** Poll interval of subscriptions; NOTIFY normally wakes them long before. */
  readonly pollMs?: number;
  /** Connections in the pool used for appends and reads. */
  readonly poolSize?: number;
}

export interface PostgresVerifyOptions {
  /** Ranges verified at once, each on its own connection (default: the cores here, at most 4). */
  readonly ranges?: number;
  /** No range is made smaller than this many positions (default 25,000). */
  readonly minRange?: number;
  /** Positions per round trip. */
  readonly batchSize?: number;
}

/**
 * Wakes subscriptions on `NOTIFY trial_ledger_appended` from any process, over one dedicated
 * connection that LISTENs (a pooled connection would be handed to other queries). If that
 * connection fails, subscriptions fall back to polling until the next wait re-opens it.
 */
class PostgresAppendNotifier implements AppendNotifier {
  private readonly local = new LocalAppendNotifier();
  private listener: Client | null = null;
  private opening: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly config: ClientConfig) {}

  /**
   * The highest position any notification has announced. A notification that arrives while a
   * subscription is busy reading would otherwise be lost, leaving it asleep until the next poll.
   */
  private announced = 0;

  /** Appends made through this store wake its subscribers without waiting for the round trip. */
  notify(position: number): void {
    this.announced = Math.max(this.announced, position);
    this.local.notify();
  }

  waitForAppend(position: number, timeoutMs: number): Promise<void> {
    void this.listen();
    if (this.announced > position) return Promise.resolve();
    return this.local.waitForAppend(position, timeoutMs);
  }

  /** Opens the LISTEN connection if it is not open; resolves once it listens (or has failed). */
  listen(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (!this.opening) {
      const client = new Client(this.config);
      const reset = (): void => {
        if (this.listener === client) this.listener = null;
        this.opening = null;
      };
      client.on('error', reset);
      client.on('end', reset);
      client.on('notification', (message) => this.notify(Number(message.payload ?? 0) || 0));
      this.opening = client
        .connect()
        .then(() => client.query(`LISTEN ${APPEND_CHANNEL}`))
        .then(async () => {
          if (this.closed) {
            await client.end();
            return;
          }
          this.listener = client;
          // Anything appended while the LISTEN was being set up: the subscription re-reads on wake-up.
          this.local.notify();
        })
        .catch(() => {
          reset();
          void client.end().catch(() => undefined);
        });
    }
    return this.opening;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.opening;
    const listener = this.listener;
    this.listener = null;
    if (listener) await listener.end().catch(() => undefined);
  }
}

/**
 * The PostgreSQL ledger (`postgres://…`). One `events` table, one row per event, written only by
 * INSERT inside an append transaction that holds a global advisory lock; `synchronous_commit` is left
 * at PostgreSQL's default (on), so an append returns only once its WAL record is flushed.
 */
export class PostgresEventStore implements EventStore, LedgerImporter, IdempotencyRecordSource {
  readonly description: string;
  private readonly clock: Clock;
  private readonly pollMs: number;
  private readonly notifier: PostgresAppendNotifier;
  private closed = false;
  private readonly merkle = new PostgresMerkleNodes();

  private constructor(
    private readonly pool: Pool,
    config: ClientConfig,
    url: string,
    options: PostgresEventStoreOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.pollMs = options.pollMs ?? 1000;
    this.notifier = new PostgresAppendNotifier(config);
    this.description = redactPostgresUrl(url);
  }

  /** Connects, applies pending migrations, and returns a ready store. */
  static async connect(url: string, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    const config: ClientConfig = { connectionString: url, connectionTimeoutMillis: 10_000 };
    const pool = new Pool({ ...config, max: options.poolSize ?? 10 });
    // An idle pooled connection that dies (server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    try {
      await PostgresEventStore.migrate(pool);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw mapPostgresError(error);
    }
    return new PostgresEventStore(pool, config, url, options);
  }

  /**
   * Applies migrations newer than `schema_migrations` records, under an advisory lock so two
   * processes starting at once do not race. An up-to-date schema is only read, so a role granted
   * SELECT and INSERT alone can connect.
   */
  private static async migrate(pool: Pool): Promise<void> {
    const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
    const client = await pool.connect();
    try {
      const applied = async (): Promise<number> => {
        const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
        if (exists.rows[0].t === null) return 0;
        const result = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
        return result.rows[0].v ?? 0;
      };
      const current = await applied();
      if (current > latest) {
        throw new StoreUnavailableError(`The ledger schema is at version ${current}, newer than this build knows (${latest}): upgrade trial-ledger`);
      }
      if (current === latest) return;
      await client.query('BEGIN');
      try {
        await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
        await client.query(
          `CREATE TABLE IF NOT EXISTS schema_migrations (
             version    integer     PRIMARY KEY,
             name       text        NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
           )`,
        );
        const now = await applied();
        for (const migration of MIGRATIONS.filter((m) => m.version > now)) {
          await client.query(migration.sql);
          await migration.after?.(client);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      client.release();
    }
  }

  /** Runs `work` in a transaction holding the append lock; rolls back on any error. */
  private async inAppendTransaction<T>(work: (client: PoolClient, afterCommit: (hook: () => void) => void) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw mapPostgresError(error);
    }
    let broken = false;
    try {
      // One round trip: a simple-protocol query may carry both statements.
      await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${APPEND_LOCK})`);
      const hooks: (() => void)[] = [];
      const result = await work(client, (hook) => hooks.push(hook));
      await client.query('COMMIT');
      for (const hook of hooks) hook();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw mapPostgresError(error);
    } finally {
      client.release(broken);
    }
  }

  /** `name`: a prepared statement, parsed and planned once per pooled connection (hot paths only). */
  private async query<R extends object>(sql: string, params: unknown[] = [], name?: string): Promise<R[]> {
    try {
      return (await this.pool.query<R>(name === undefined ? { text: sql, values: params } : { name, text: sql, values: params })).rows;
    } catch (error) {
      throw mapPostgresError(error);
    }
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    if (request.writes.length === 0 || request.writes.every((w) => w.events.length === 0)) {
      throw new InvalidAppendError('An append needs at least one event');
    }
    const streams = new Set<string>();
    for (const write of request.writes) {
      if (streams.has(write.streamId)) throw new InvalidAppendError(`Stream ${write.streamId} is written twice in one append`);
      streams.add(write.streamId);
    }
    // Canonical JSON of the data does not depend on the head: computed before taking the lock.
    const dataJson = new Map(request.writes.flatMap((w) => w.events.map((e) => [e.eventId, canonicalize(e.data)] as const)));
    const result = await this.inAppendTransaction((client, afterCommit) => this.appendLocked(client, request, dataJson, afterCommit));
    if (!result.replayed) this.notifier.notify(result.lastPosition);
    return result;
  }

  private async appendLocked(
    client: PoolClient,
    request: AppendRequest,
    dataJson: ReadonlyMap<string, string>,
    afterCommit: (hook: () => void) => void,
  ): Promise<AppendResult> {
    const key = request.idempotencyKey ?? null;
    const checks = request.checks ?? [];
    const ids = [...new Set([...checks.map((c) => c.streamId), ...request.writes.map((w) => w.streamId)])];
    // Everything the decision needs, read in one statement after the lock was taken by an earlier one
    // (a statement's snapshot predates any lock it takes itself, so the lock cannot share it).
    const state = await client.query<{ seen: IdempotencyRow | null; versions: Record<string, number> | null; position: string | null; hash: string | null; recorded_at: string | null }>({
      // Named: parsed and planned once per connection, not on every append.
      name: 'trial-ledger.append-state',
      text: `SELECT (SELECT row_to_json(k) FROM idempotency_keys k WHERE k.idempotency_key = $1) AS seen,
              (SELECT json_object_agg(stream_id, v) FROM (SELECT stream_id, MAX(stream_version) AS v FROM events
                                                            WHERE stream_id = ANY($2::text[]) GROUP BY stream_id) s) AS versions,
              h.global_position AS position, h.hash, h.recorded_at
         FROM (SELECT 1) AS one
         LEFT JOIN LATERAL (SELECT global_position, hash, recorded_at FROM events ORDER BY global_position DESC LIMIT 1) AS h ON true`,
      values: [key, ids],
    });
    const read = state.rows[0];
    if (key !== null && read.seen) return this.replay(client, read.seen, request.requestHash ?? null);
    const actual = new Map(Object.entries(read.versions ?? {}));
    for (const check of checks) {
      const version = actual.get(check.streamId) ?? 0;
      if (version !== check.expectedVersion) throw new ConcurrencyError(check.streamId, check.expectedVersion, version);
    }
    const versions: Record<string, number> = {};
    for (const write of request.writes) {
      const version = actual.get(write.streamId) ?? 0;
      if (write.expectedVersion !== 'any' && version !== write.expectedVersion) {
        throw new ConcurrencyError(write.streamId, write.expectedVersion, version);
      }
      versions[write.streamId] = version;
    }
    let position = read.position === null ? 0 : Number(read.position);
    let prevHash = read.hash ?? GENESIS_HASH;
    const recordedAt = nextRecordedAt(this.clock.now(), read.recorded_at);
    const stored: StoredEvent[] = [];
    const rows: InsertRow[] = [];
    for (const write of request.writes) {
      for (const event of write.events) {
        position += 1;
        versions[write.streamId] += 1;
        const metadata = { ...event.metadata, recordedAt };
        const raw: RawEventRecord = {
          globalPosition: position,
          eventId: event.eventId,
          type: event.type,
          schemaVersion: event.schemaVersion,
          streamId: write.streamId,
          streamVersion: versions[write.streamId],
          dataJson: dataJson.get(event.eventId) ?? canonicalize(event.data),
          metadataJson: canonicalize(metadata),
          recordedAt,
          prevHash,
          hash: '',
        };
        // Hash exactly the bytes that are stored (RFC 8785 parts assembled in JCS key order).
        const hash = chainHash(prevHash, canonicalJsonFromRaw(raw));
        const storedEvent: StoredEvent = {
          eventId: event.eventId,
          type: event.type,
          schemaVersion: event.schemaVersion,
          streamId: write.streamId,
          streamVersion: raw.streamVersion,
          globalPosition: position,
          data: event.data,
          metadata,
          prevHash,
          hash,
        };
        stored.push(storedEvent);
        rows.push({ event: storedEvent, dataJson: raw.dataJson, metadataJson: raw.metadataJson });
        prevHash = hash;
      }
    }
    const idempotency: IdempotencyRecord | null =
      key === null
        ? null
        : { key, requestHash: request.requestHash ?? null, eventIds: stored.map((e) => e.eventId), streamVersions: versions, lastPosition: position, recordedAt };
    await this.insertEvents(client, rows, idempotency, afterCommit);
    return { events: stored, streamVersions: versions, lastPosition: position, replayed: false };
  }

  /**
   * One statement for the whole batch (arrays unnested server-side), the idempotency record and the
   * NOTIFY: a batch of 100 is one round trip. The notification is delivered to LISTENers only when
   * the transaction commits.
   */
  private async insertEvents(
    client: PoolClient,
    rows: readonly InsertRow[],
    idempotency: IdempotencyRecord | null,
    afterCommit: (hook: () => void) => void,
  ): Promise<void> {
    const column = <T>(pick: (e: StoredEvent) => T): T[] => rows.map((r) => pick(r.event));
    const first = rows[0].event;
    // The Merkle nodes these events complete go into the same statement: no extra round trip.
    const tree = await this.merkle.extend(client, { position: first.globalPosition - 1, hash: first.prevHash }, column((e) => e.hash));
    try {
      await client.query({
        name: 'trial-ledger.append-insert',
        text: `WITH appended AS (
           INSERT INTO events (${EVENT_COLUMNS}, idempotency_key)
           SELECT p, id, s, v, t, sv, d::json, m::json, r, ph, h, $12
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[], $7::text[], $8::text[],
                         $9::text[], $10::text[], $11::text[]) AS x(p, id, s, v, t, sv, d, m, r, ph, h)
           RETURNING 1
         ), remembered AS (
           INSERT INTO idempotency_keys (idempotency_key, request_hash, event_ids, stream_versions, last_position, recorded_at)
           SELECT $12, $13, $14::json, $15::json, $16, $17 WHERE $12::text IS NOT NULL
           RETURNING 1
         ), nodes AS (
           INSERT INTO merkle_nodes (level, idx, hash) SELECT * FROM unnest($20::smallint[], $21::bigint[], $22::bytea[])
           RETURNING 1
         )
         SELECT pg_notify($18, $19)`,
        values: [
          column((e) => e.globalPosition),
          column((e) => e.eventId),
          column((e) => e.streamId),
          column((e) => e.streamVersion),
          column((e) => e.type),
          column((e) => e.schemaVersion),
          rows.map((r) => r.dataJson),
          rows.map((r) => r.metadataJson),
          column((e) => e.metadata.recordedAt),
          column((e) => e.prevHash),
          column((e) => e.hash),
          idempotency?.key ?? null,
          idempotency?.requestHash ?? null,
          idempotency ? JSON.stringify(idempotency.eventIds) : null,
          idempotency ? JSON.stringify(idempotency.streamVersions) : null,
          idempotency?.lastPosition ?? null,
          idempotency?.recordedAt ?? null,
          APPEND_CHANNEL,
          String(rows[rows.length - 1].event.globalPosition),
          tree.levels,
          tree.indices,
          tree.hashes,
        ],
      });
      afterCommit(tree.keep);
    } catch (error) {
      const pgError = error as { code?: string; constraint?: string };
      if (pgError.code === '23505' && pgError.constraint === 'events_event_id_key') {
        throw new InvalidAppendError('An event with one of these event ids is already stored');
      }
      throw error;
    }
  }

  private async readHead(client: PoolClient | Pool): Promise<LogHead> {
    const result = await client.query<{ global_position: string; hash: string; recorded_at: string }>(
      'SELECT global_position, hash, recorded_at FROM events ORDER BY global_position DESC LIMIT 1',
    );
    const row = result.rows[0];
    return row
      ? { position: Number(row.global_position), hash: row.hash, recordedAt: row.recorded_at }
      : { position: 0, hash: GENESIS_HASH, recordedAt: null };
  }

  private async replay(client: PoolClient, seen: IdempotencyRow, requestHash: string | null): Promise<AppendResult> {
    if (seen.request_hash !== null && requestHash !== null && seen.request_hash !== requestHash) {
      throw new IdempotencyKeyReusedError(seen.idempotency_key);
    }
    const rows = await client.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = ANY($1::text[]) ORDER BY global_position`, [
      seen.event_ids,
    ]);
    return {
      events: rows.rows.map(toStoredEvent),
      streamVersions: seen.stream_versions,
      lastPosition: Number(seen.last_position),
      replayed: true,
    };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    // Every command reads its streams: the plain read is a prepared statement on the stream index.
    const rows =
      options.toPosition === undefined && options.asKnownAt === undefined
        ? await this.query<EventRow>(READ_STREAM_SQL, [streamId], 'trial-ledger.read-stream')
        : await this.query<EventRow>(READ_STREAM_AS_OF_SQL, [streamId, options.toPosition ?? Number.MAX_SAFE_INTEGER, options.asKnownAt ?? '9999-12-31T23:59:59.999Z']);
    return rows.map(toStoredEvent);
  }

  async streamVersion(streamId: string): Promise<number> {
    const rows = await this.query<{ v: number | null }>('SELECT MAX(stream_version) AS v FROM events WHERE stream_id = $1', [streamId]);
    return rows[0]?.v ?? 0;
  }

  /**
   * The log in position order, one window of at most `batchSize` positions per round trip; while the
   * caller works through a full window the next one is already being fetched (a second pooled
   * connection), so reading and hashing overlap. A window that comes back short is the end of the
   * log or a gap (a ledger tampered with behind the triggers): the next stored position is looked up
   * and reading resumes there, so gaps reach the verifier rather than ending the read.
   */
  private async *rawWindows(after: number, to: number, batchSize: number): AsyncIterable<RawRow[]> {
    const size = Math.max(1, Math.floor(batchSize));
    const fetch = (from: number): Promise<RawRow[]> => {
      const rows = this.pool
        .query<RawRow>({ text: RAW_WINDOW_SQL, values: [from, Math.min(to, from + size)], rowMode: 'array' })
        .then((result) => result.rows, (error: unknown) => Promise.reject(mapPostgresError(error)));
      // A prefetched window the caller never asks for (it stopped early) must not be an unhandled rejection.
      rows.catch(() => undefined);
      return rows;
    };
    let next: Promise<RawRow[]> | null = after < to ? fetch(after) : null;
    while (next) {
      const rows = await next;
      const upper = Math.min(to, after + size);
      next = null;
      if (upper < to && rows.length === upper - after) next = fetch(upper);
      if (rows.length > 0) yield rows;
      if (!next && upper < to) {
        const following = await this.query<{ p: string | null }>(NEXT_POSITION_SQL, [upper, to]);
        const position = following[0]?.p === null || following[0]?.p === undefined ? null : Number(following[0].p);
        if (position !== null) next = fetch(position - 1);
        after = position === null ? upper : position - 1;
      } else {
        after = upper;
      }
    }
  }

  /**
   * Batches of text rows, parsed one event at a time as they are consumed, so the parsed events die
   * young and a long replay does not fill the old generation with a batch's worth of objects.
   */
  async *readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    const windows = this.rawWindows(options.afterPosition ?? 0, options.toPosition ?? Number.MAX_SAFE_INTEGER, options.batchSize ?? 1000);
    for await (const rows of windows) {
      for (let i = 0; i < rows.length; i += 1) {
        const r = rows[i];
        yield {
          eventId: r[1],
          type: r[4],
          schemaVersion: r[5],
          streamId: r[2],
          streamVersion: r[3],
          globalPosition: Number(r[0]),
          data: JSON.parse(r[6]) as Record<string, unknown>,
          metadata: { ...(JSON.parse(r[7]) as EventMetadata), recordedAt: r[8] },
          prevHash: r[9],
          hash: r[10],
        };
      }
    }
  }

  /** The stored canonical JSON texts (`json` keeps its input verbatim), for verification without parsing. */
  async *readAllRaw(options: ReadAllOptions = {}): AsyncIterable<RawEventRecord> {
    const windows = this.rawWindows(options.afterPosition ?? 0, options.toPosition ?? Number.MAX_SAFE_INTEGER, options.batchSize ?? 5000);
    for await (const rows of windows) {
      for (let i = 0; i < rows.length; i += 1) yield toRawRecord(rows[i]);
    }
  }

  /**
   * Verifies positions 1..head as contiguous ranges read over separate connections at once, each
   * checked from the stored bytes by its own `ChainVerifier`, then joined exactly as the SQLite
   * parallel verifier joins its workers' ranges (`joinRangeReports`). Hashes are recomputed here, in
   * the verifier, never by the database. The result is the sequential verifier's, fault for fault.
   */
  async verifyChain(options: PostgresVerifyOptions = {}): Promise<ChainVerification> {
    const head = (await this.head()).position;
    const parts = Math.max(
      1,
      Math.min(options.ranges ?? Math.min(4, availableParallelism()), Math.ceil(head / (options.minRange ?? MIN_VERIFY_RANGE))),
    );
    const size = Math.ceil(head / parts);
    const ranges = Array.from({ length: parts }, (_, i) => [i * size + 1, Math.min(head, (i + 1) * size)] as const).filter(([a, b]) => a <= b);
    const reports = await Promise.all(ranges.map(([from, to]) => this.verifyRange(from, to, options.batchSize ?? 5000)));
    const joined = joinRangeReports(reports, head);
    if (joined.ok || !joined.fault || joined.fault.position <= 1) return joined;
    // The join knows the hash at the end of the previous range, not at the fault: look both up so the
    // report names the same last good hash and event as the sequential verifier does.
    const fault = joined.fault;
    const rows = await this.query<{ global_position: string; hash: string; event_id: string }>(
      'SELECT global_position, hash, event_id FROM events WHERE global_position IN ($1, $2)',
      [fault.position - 1, fault.position],
    );
    const before = rows.find((r) => Number(r.global_position) === fault.position - 1);
    const at = rows.find((r) => Number(r.global_position) === fault.position);
    return {
      ...joined,
      headHash: before?.hash ?? joined.headHash,
      fault: fault.damage === 'position-gap' || fault.eventId !== undefined || !at ? fault : { ...fault, eventId: at.event_id },
    };
  }

  /** One range's account for `joinRangeReports`: what links to the range before, and each stream's versions in it. */
  private async verifyRange(from: number, to: number, batchSize: number): Promise<RangeReport> {
    let verifier: ChainVerifier | null = null;
    let firstPrevHash: string | null = null;
    const streams = new Map<string, [string, number, number, number]>();
    scan: for await (const rows of this.rawWindows(from - 1, to, batchSize)) {
      for (let i = 0; i < rows.length; i += 1) {
        const record = toRawRecord(rows[i]);
        if (verifier === null) {
          // Inside the range links are checked from the first row's own prevHash; the join checks that one.
          firstPrevHash = record.prevHash;
          verifier = new ChainVerifier(from === 1 ? undefined : { position: from - 1, hash: record.prevHash });
        }
        if (!verifier.pushRaw(record)) break scan;
        const seen = streams.get(record.streamId);
        if (seen === undefined) streams.set(record.streamId, [record.streamId, record.streamVersion, record.globalPosition, record.streamVersion]);
        else seen[3] = record.streamVersion;
      }
    }
    const result = verifier?.result();
    const count = result?.eventsChecked ?? 0;
    let fault = result?.fault ?? null;
    const reached = result?.headPosition ?? from - 1;
    if (fault === null && reached !== to) {
      // The range ends in a gap; its far side, as the sequential verifier would name it, is in a later range.
      const next = await this.query<{ p: string | null }>(NEXT_POSITION_SQL, [reached, Number.MAX_SAFE_INTEGER]);
      const stored = next[0]?.p === null || next[0]?.p === undefined ? '' : ` (next stored is ${Number(next[0].p)})`;
      fault = { position: reached + 1, damage: 'position-gap', message: `position ${reached + 1} is missing${stored}` };
    }
    return { from, to, firstPrevHash, lastHash: count > 0 && result ? result.headHash : null, count, fault, streams: [...streams.values()] };
  }

  async positionAt(instant: string): Promise<number> {
    const rows = await this.query<{ p: string | null }>('SELECT MAX(global_position) AS p FROM events WHERE recorded_at <= $1', [instant]);
    return Number(rows[0]?.p ?? 0);
  }

  async head(): Promise<LogHead> {
    try {
      return await this.readHead(this.pool);
    } catch (error) {
      throw mapPostgresError(error);
    }
  }

  async getEvent(eventId: string): Promise<StoredEvent | null> {
    const rows = await this.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = $1`, [eventId]);
    return rows[0] ? toStoredEvent(rows[0]) : null;
  }

  async findIdempotencyRecord(key: string): Promise<IdempotencyRecord | null> {
    const rows = await this.query<IdempotencyRow>('SELECT * FROM idempotency_keys WHERE idempotency_key = $1', [key]);
    return rows[0] ? toIdempotencyRecord(rows[0]) : null;
  }

  async *readIdempotencyRecords(): AsyncIterable<IdempotencyRecord> {
    let after = '';
    for (;;) {
      const rows = await this.query<IdempotencyRow>(
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
    await this.inAppendTransaction(async (client, afterCommit) => {
      const head = await this.readHead(client);
      const ids = [...new Set(events.map((e) => e.streamId))];
      const current = await client.query<{ stream_id: string; v: number }>(
        'SELECT stream_id, MAX(stream_version) AS v FROM events WHERE stream_id = ANY($1::text[]) GROUP BY stream_id',
        [ids],
      );
      const versions = new Map(current.rows.map((r) => [r.stream_id, r.v]));
      checkImportBatch(head, events, (streamId) => versions.get(streamId) ?? 0);
      await this.insertEvents(
        client,
        events.map((event) => ({ event, dataJson: canonicalize(event.data), metadataJson: canonicalize(event.metadata) })),
        null,
        afterCommit,
      );
    });
    this.notifier.notify(events[events.length - 1].globalPosition);
  }

  async importIdempotencyRecords(records: readonly IdempotencyRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.inAppendTransaction(async (client) => {
      for (const record of records) {
        await client.query(
          `INSERT INTO idempotency_keys (idempotency_key, request_hash, event_ids, stream_versions, last_position, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [record.key, record.requestHash, JSON.stringify(record.eventIds), JSON.stringify(record.streamVersions), record.lastPosition, record.recordedAt],
        );
      }
    });
  }

  subscribe(options: SubscriptionOptions): Subscription {
    void this.notifier.listen();
    return new CatchUpSubscription((o) => this.readAll(o), this.notifier, options, this.pollMs);
  }

  /** Hashes of complete subtrees of the RFC 9162 tree over the log, in one round trip. */
  async treeNodes(ids: readonly NodeId[]): Promise<Map<string, Buffer>> {
    try {
      return await readPostgresTreeNodes(this.pool, ids);
    } catch (error) {
      throw mapPostgresError(error);
    }
  }

  /** The connection pool, for adapters in this lib (projection checkpoints, benchmarks). */
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
