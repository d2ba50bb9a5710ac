import type { NodeId } from '@trial-ledger/merkle';
import type { StoreWriteHealth } from './store-write-health';
import type { NewEvent, StoredEvent } from './event-envelope';
import type { ChainVerification, RawEventRecord } from './hash-chain';

/**
 * The expected state of a stream for optimistic concurrency: a version number (the number of events
 * the writer saw; 0 = the stream must not exist yet), or `'any'` for no check.
 */
export type ExpectedVersion = number | 'any';

/** Events for one stream, appended only if the stream is at `expectedVersion`. */
export interface StreamWrite {
  readonly streamId: string;
  readonly expectedVersion: ExpectedVersion;
  readonly events: readonly NewEvent[];
}

/** A stream the decision read but does not write: the append fails if it moved meanwhile. */
export interface StreamCheck {
  readonly streamId: string;
  readonly expectedVersion: number;
}

export interface AppendRequest {
  /** All writes are atomic: every event is stored or none is. */
  readonly writes: readonly StreamWrite[];
  readonly checks?: readonly StreamCheck[];
  /**
   * Client idempotency key, scoped to the acting user (the `actor.userId` of the events, which must
   * then all share one actor). The store stamps the key and `requestHash` on every event's metadata,
   * so the record of the request is part of the hash chain. A second append by the same user with the
   * same key and the same `requestHash` returns the first outcome and writes nothing; with another
   * `requestHash` it is refused with `IdempotencyKeyReusedError`.
   */
  readonly idempotencyKey?: string | null;
  /** Fingerprint of the request that carried the idempotency key (e.g. SHA-256 of its canonical body). */
  readonly requestHash?: string | null;
}

export interface AppendResult {
  /** The stored events, in global order. */
  readonly events: readonly StoredEvent[];
  /** Each written stream's version after the append. */
  readonly streamVersions: Readonly<Record<string, number>>;
  readonly lastPosition: number;
  /**
   * True for an idempotent repeat: the outcome of an earlier request with the same idempotency key,
   * answered again with nothing written.
   */
  readonly repeated: boolean;
}

/**
 * The outcome of an idempotent request: derived from the chained events that carry its key (see
 * `findIdempotencyRecord`), or a row of an older store's side table, which `inspectStore` checks
 * against those events.
 */
export interface IdempotencyRecord {
  readonly key: string;
  /** The user the key belongs to; unknown (absent) in side-table rows written before keys were per user. */
  readonly userId?: string;
  readonly requestHash: string | null;
  readonly eventIds: readonly string[];
  readonly streamVersions: Readonly<Record<string, number>>;
  readonly lastPosition: number;
  readonly recordedAt: string;
}

export interface ReadStreamOptions {
  /** Only events at or before this global position (bitemporal replay by position). */
  readonly toPosition?: number;
  /** Only events recorded at or before this instant (bitemporal replay by recording time). */
  readonly asKnownAt?: string;
}

export interface ReadAllOptions {
  /** Start after this global position (0 = from the beginning). */
  readonly afterPosition?: number;
  /** Stop at this global position (inclusive). */
  readonly toPosition?: number;
  /** Rows fetched per round trip; the iterable never holds more than one batch. */
  readonly batchSize?: number;
}

export interface LogHead {
  readonly position: number;
  readonly hash: string;
  readonly recordedAt: string | null;
}

export interface SubscriptionOptions<E = StoredEvent> {
  /** Deliver events after this position (the subscriber's checkpoint). */
  readonly afterPosition: number;
  /** Called for every event in order; the subscription waits for the returned promise. */
  readonly onEvent: (event: E) => void | Promise<void>;
  /** Called each time the subscriber has caught up with the head of the log. */
  readonly onCaughtUp?: (position: number) => void;
  readonly onError?: (error: unknown) => void;
}

export interface Subscription {
  /** Resolves once the subscriber has processed everything up to `position`. */
  waitFor(position: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * SQL on the store's own database, for server state that is not part of the ledger and must be shared
 * by every server on the same store (sessions, rate-limit counters). One statement per call (`$1…`
 * parameters); a call without parameters may hold several statements. Errors are the store's
 * (`STORE.UNAVAILABLE` when the database is unreachable).
 */
export interface ServerStateSql {
  /** `name`: prepare the statement once per connection and reuse it (for the per-request ones). */
  query<R extends object>(text: string, values?: readonly unknown[], name?: string): Promise<R[]>;
}

/** The event store port (`LEDGER_STORE`). Every adapter passes `libs/event-store/src/testing` contract suite. */
export interface EventStore {
  /** A short description for logs and `--help`, without credentials. */
  readonly description: string;
  /**
   * The file holding the ledger, when the store is a file on this machine (SQLite): files that belong
   * to the ledger, such as persistent read models, are kept beside it. Absent for servers and memory.
   */
  readonly localFile?: string;
  /**
   * The database beside the ledger where servers share their state (PostgreSQL). Absent for a local
   * file (state beside `localFile` instead), KurrentDB and memory.
   */
  readonly serverState?: ServerStateSql;
  append(request: AppendRequest): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** The number of events in the stream (0 when it does not exist). */
  streamVersion(streamId: string): Promise<number>;
  /** The whole log in global order, streamed in batches. */
  readAll(options?: ReadAllOptions): AsyncIterable<StoredEvent>;
  /**
   * The log as stored bytes, for verification without parsing (optional: stores that keep canonical
   * JSON text implement it; `verifyStore` falls back to `readAll`).
   */
  readAllRaw?(options?: ReadAllOptions): AsyncIterable<RawEventRecord>;
  /** Store-native verification of the whole chain (e.g. parallel); null when not available here. */
  verifyChain?(): Promise<ChainVerification | null>;
  /**
   * The RFC 9162 Merkle tree over the log, kept in the append transaction: the hashes of the given
   * complete subtrees (level 0 = leaves) that exist, keyed `level/index`. The tree's size is always
   * the head position. Optional: a store without it cannot answer proofs.
   */
  treeNodes?(ids: readonly NodeId[]): Promise<Map<string, Buffer>>;
  /** The last global position at or before an instant (0 if none): turns `asKnownAt` into a position. */
  positionAt(instant: string): Promise<number>;
  head(): Promise<LogHead>;
  getEvent(eventId: string): Promise<StoredEvent | null>;
  /**
   * The events stored with this idempotency key (any user), in log order. Found through an index the
   * store keeps beside the chain, so callers trust only what each event's own hashed metadata says
   * (`findIdempotencyRecord`, `findRepeat` do).
   */
  eventsWithIdempotencyKey(key: string): Promise<StoredEvent[]>;
  /** Catch-up subscription: delivers every event after the checkpoint, then follows new appends. */
  subscribe(options: SubscriptionOptions): Subscription;
  /**
   * The same subscription over the stored bytes (`readAllRaw`), for a verifier that follows the log:
   * it hashes the stored text as `verify` does, without parsing every event it checks. Optional, like
   * `readAllRaw`.
   */
  subscribeRaw?(options: SubscriptionOptions<RawEventRecord>): Subscription;
  /** Whether writes can succeed now (readiness); stores that cannot tell leave it out. */
  writeHealth?(): Promise<StoreWriteHealth>;
  close(): Promise<void>;
}
