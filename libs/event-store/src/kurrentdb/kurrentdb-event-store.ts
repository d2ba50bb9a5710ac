import {
  BACKWARDS,
  END,
  KurrentDBClient,
  NO_STREAM,
  binaryEvent,
  jsonEvent,
  type EventData,
  type ResolvedEvent,
  type StreamSubscription,
} from '@kurrent/kurrentdb-client';
import { v5 as uuidv5 } from 'uuid';
import { CatchUpSubscription, LocalAppendNotifier } from '../catch-up-subscription';
import { systemClock, type Clock } from '../clock';
import type { StoredEvent } from '../event-envelope';
import { ConcurrencyError } from '../event-store.errors';
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
import { checkImportBatch, type IdempotencyRecordSource, type LedgerImporter } from '../ledger-importer';
import { fromLedgerRecord, mapKurrentError, parseKurrentUrl, toLedgerEnvelope, toStreamState } from './kurrentdb-mapping';
import type { NodeId } from '@trial-ledger/merkle';
import { LedgerIndex } from './kurrentdb-ledger-index';

/** Namespace for the deterministic ids of per-stream link events (uuid v5 of ledger name and position). */
const LINK_NAMESPACE = '5b0f3f52-6f1c-4f8e-9d53-1c1e2b7a9a10';

/** Appends retried after another process moved the ledger first, before giving up with a conflict. */
const MAX_LEDGER_ATTEMPTS = 50;

/** The part of the client this adapter uses (tests substitute an in-memory fake). */
export type KurrentClientLike = Pick<KurrentDBClient, 'appendToStream' | 'readStream' | 'subscribeToStream' | 'dispose'>;

export interface KurrentDbEventStoreOptions {
  readonly clock?: Clock;
  /** Poll interval of subscriptions; a server subscription to the ledger normally wakes them first. */
  readonly pollMs?: number;
  /** Maintain the per-stream link streams (KurrentDB-native view of each of our streams). Default true. */
  readonly linkStreams?: boolean;
  /** A client to use instead of one built from the URL (tests). */
  readonly client?: KurrentClientLike;
}

const isStreamNotFound = (error: unknown): boolean => (error as { type?: unknown } | null)?.type === 'stream-not-found';

/**
 * The KurrentDB (EventStoreDB) ledger (`kurrentdb://…`, `esdb://…`). See README.md next to this file:
 * every append is one write to a single ledger stream, conditional on the ledger's revision, which
 * serialises all writers (any process) without SQL transactions; each of our streams is also
 * mirrored as a KurrentDB stream of link events for KurrentDB-native tools.
 */
export class KurrentDbEventStore implements EventStore, LedgerImporter, IdempotencyRecordSource {
  readonly description: string;
  private readonly client: KurrentClientLike;
  private readonly ledger: string;
  private readonly clock: Clock;
  private readonly pollMs: number;
  private readonly linkStreams: boolean;
  private readonly streamPrefix: string;
  private readonly index = new LedgerIndex();
  private readonly notifier = new LocalAppendNotifier();
  private appendQueue: Promise<unknown> = Promise.resolve();
  private catchingUp: Promise<void> | null = null;
  private wakeUps: StreamSubscription | null = null;

  constructor(url: string, options: KurrentDbEventStoreOptions = {}) {
    const parsed = parseKurrentUrl(url);
    this.client = options.client ?? KurrentDBClient.connectionString(parsed.connectionString);
    this.ledger = parsed.ledgerStream;
    this.streamPrefix = parsed.streamPrefix;
    this.description = parsed.description;
    this.clock = options.clock ?? systemClock;
    this.pollMs = options.pollMs ?? 500;
    this.linkStreams = options.linkStreams ?? true;
  }

  /** Connects and folds the existing ledger; fails with `StoreUnavailableError` when no server answers. */
  static async connect(url: string, options: KurrentDbEventStoreOptions = {}): Promise<KurrentDbEventStore> {
    const store = new KurrentDbEventStore(url, options);
    try {
      await store.catchUp();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** Reads the ledger forward from the index head and folds what it finds (single-flight). */
  private catchUp(): Promise<void> {
    if (!this.catchingUp) {
      this.catchingUp = (async () => {
        for (;;) {
          const batch = await this.readLedger(this.index.head.position, 1000);
          for (const { event } of batch) this.index.apply(event);
          if (batch.length < 1000) return;
        }
      })().finally(() => {
        this.catchingUp = null;
      });
    }
    return this.catchingUp;
  }

  /** Up to `count` ledger events after global position `after`. */
  private async readLedger(after: number, count: number): Promise<Array<{ event: StoredEvent }>> {
    const out: Array<{ event: StoredEvent }> = [];
    if (count <= 0) return out;
    try {
      for await (const resolved of this.client.readStream(this.ledger, { fromRevision: BigInt(after), maxCount: count })) {
        const record = (resolved as ResolvedEvent).event;
        if (!record) continue;
        out.push({ event: fromLedgerRecord(record) });
      }
    } catch (error) {
      if (isStreamNotFound(error)) return out;
      throw mapKurrentError(error);
    }
    return out;
  }

  private async readAt(position: number): Promise<StoredEvent | null> {
    const [found] = await this.readLedger(position - 1, 1);
    return found?.event ?? null;
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    validateAppendRequest(request);
    // Appends from this process queue here, so they do not lose ledger races to each other.
    const run = this.appendQueue.then(() => this.appendSerialised(request));
    this.appendQueue = run.catch(() => undefined);
    const result = await run;
    if (!result.repeated) {
      this.notifier.notify();
      if (this.linkStreams) await this.syncLinks(Object.keys(result.streamVersions)).catch(() => undefined);
    }
    return result;
  }

  /**
   * I/O only: folds the ledger up to its end, lets `planAppend` decide from the index, and writes the
   * events conditional on the ledger's revision; when another process moved the ledger first, folds
   * again and decides again.
   */
  private async appendSerialised(request: AppendRequest): Promise<AppendResult> {
    let lastConflict: unknown = null;
    const key = request.idempotencyKey ?? null;
    for (let attempt = 0; attempt < MAX_LEDGER_ATTEMPTS; attempt += 1) {
      await this.catchUp();
      const head = this.index.head;
      const plan = planAppend(
        request,
        { head, versionOf: (streamId) => this.index.version(streamId), keyCandidates: key === null ? [] : await this.eventsAt(this.index.keyed.get(key) ?? []) },
        this.clock.now(),
      );
      if (plan.kind === 'repeat') return plan.result;
      const records = plan.extension.events.map((e) =>
        jsonEvent({ id: e.eventId, type: e.type, data: e.data, metadata: toLedgerEnvelope(e, null) as unknown as Record<string, unknown> }),
      );
      try {
        // The ledger is at revision head − 1: the write succeeds only if nobody appended since our fold.
        await this.client.appendToStream(this.ledger, records, { streamState: toStreamState(head.position) });
      } catch (error) {
        const mapped = mapKurrentError(error);
        if (mapped instanceof ConcurrencyError && mapped.streamId === this.ledger) {
          lastConflict = mapped;
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** attempt)));
          continue;
        }
        throw mapped;
      }
      for (const event of plan.extension.events) this.index.apply(event);
      return plan.result;
    }
    throw lastConflict;
  }

  /** Events at the given ascending positions, one ledger read per run of consecutive positions. */
  private async eventsAt(positions: readonly number[]): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    let i = 0;
    while (i < positions.length) {
      let j = i;
      while (j + 1 < positions.length && positions[j + 1] === positions[j] + 1) j += 1;
      const run = await this.readLedger(positions[i] - 1, j - i + 1);
      out.push(...run.map((r) => r.event));
      i = j + 1;
    }
    return out;
  }

  /**
   * Brings each written stream's link stream (`$>` events pointing into the ledger) up to the index.
   * Link ids are derived from the ledger event ids and each write names the link stream's revision,
   * so two processes repairing the same stream write the same links once. Best effort: the adapter
   * itself reads from the ledger; the links are a view for KurrentDB's UI, projections and clients.
   */
  private async syncLinks(streamIds: readonly string[]): Promise<void> {
    for (const streamId of streamIds) {
      const linkStream = `${this.streamPrefix}${streamId}`;
      if (linkStream.startsWith('$') || linkStream === this.ledger) continue;
      const positions = this.index.streams.get(streamId) ?? [];
      let linked = 0;
      try {
        for await (const last of this.client.readStream(linkStream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
          linked = Number((last as ResolvedEvent).event?.revision ?? -1n) + 1;
        }
      } catch (error) {
        if (!isStreamNotFound(error)) throw error;
      }
      if (linked >= positions.length) continue;
      const links: EventData[] = positions.slice(linked).map((position) =>
        binaryEvent({ id: uuidv5(`${this.ledger}:${position}`, LINK_NAMESPACE), type: '$>', data: Buffer.from(`${position - 1}@${this.ledger}`) }),
      );
      await this.client
        .appendToStream(linkStream, links, { streamState: linked === 0 ? NO_STREAM : BigInt(linked - 1) })
        .catch((error: unknown) => {
          if ((error as { type?: unknown }).type !== 'wrong-expected-version') throw error;
        });
    }
  }

  /**
   * Idempotency records that an earlier version copied in with a migrated ledger, kept in this stream
   * beside it. Nothing answers from them any more; `inspectStore` checks each against the events.
   */
  private get importedIdempotencyStream(): string {
    return `${this.ledger}-imported-idempotency`;
  }

  /**
   * `LedgerImporter`: appends events recorded by another ledger unchanged (ids, positions,
   * `recordedAt`, hashes), conditional on the ledger's revision like any append, after checking they
   * extend this log's chain exactly.
   */
  async importEvents(events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    const run = this.appendQueue.then(async () => {
      await this.catchUp();
      checkImportBatch(this.index.head, events, (streamId) => this.index.version(streamId));
      const records = events.map((e) =>
        jsonEvent({ id: e.eventId, type: e.type, data: e.data, metadata: toLedgerEnvelope(e, null) as unknown as Record<string, unknown> }),
      );
      try {
        await this.client.appendToStream(this.ledger, records, { streamState: toStreamState(this.index.head.position) });
      } catch (error) {
        throw mapKurrentError(error);
      }
      for (const event of events) this.index.apply(event);
    });
    this.appendQueue = run.catch(() => undefined);
    await run;
    this.notifier.notify();
    if (this.linkStreams) await this.syncLinks([...new Set(events.map((e) => e.streamId))]).catch(() => undefined);
  }

  get idempotencyRecordTable(): string {
    return this.importedIdempotencyStream;
  }

  async *readIdempotencyRecords(): AsyncIterable<IdempotencyRecord> {
    try {
      for await (const resolved of this.client.readStream(this.importedIdempotencyStream)) {
        const record = (resolved as ResolvedEvent).event?.data as IdempotencyRecord | undefined;
        if (record) yield record;
      }
    } catch (error) {
      if (!isStreamNotFound(error)) throw mapKurrentError(error);
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    validateReadStreamOptions(options);
    await this.catchUp();
    const to = options.toPosition ?? Number.MAX_SAFE_INTEGER;
    const positions = (this.index.streams.get(streamId) ?? []).filter((p) => p <= to);
    const events = await this.eventsAt(positions);
    return options.asKnownAt === undefined ? events : events.filter((e) => e.metadata.recordedAt <= (options.asKnownAt as string));
  }

  async streamVersion(streamId: string): Promise<number> {
    await this.catchUp();
    return this.index.version(streamId);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    validateReadAllOptions(options);
    const batchSize = options.batchSize ?? 500;
    const to = options.toPosition ?? Number.MAX_SAFE_INTEGER;
    let after = options.afterPosition ?? 0;
    while (after < to) {
      const batch = await this.readLedger(after, Math.min(batchSize, to - after));
      for (const { event } of batch) yield event;
      if (batch.length < Math.min(batchSize, to - after)) return;
      after = batch[batch.length - 1].event.globalPosition;
    }
  }

  /** Binary search over the ledger (recordedAt never decreases along it): O(log n) single-event reads. */
  async positionAt(instant: string): Promise<number> {
    await this.catchUp();
    let low = 0;
    let high = this.index.head.position;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      const event = await this.readAt(middle);
      if (event && event.metadata.recordedAt <= instant) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  async head(): Promise<LogHead> {
    await this.catchUp();
    return { ...this.index.head };
  }

  /** The RFC 9162 tree folded from the ledger stream (see MemoryMerkleTree). */
  async treeNodes(ids: readonly NodeId[]): Promise<Map<string, Buffer>> {
    await this.catchUp();
    return this.index.tree.treeNodes(ids);
  }

  async getEvent(eventId: string): Promise<StoredEvent | null> {
    await this.catchUp();
    const position = this.index.positions.get(eventId);
    return position === undefined ? null : this.readAt(position);
  }

  async eventsWithIdempotencyKey(key: string): Promise<StoredEvent[]> {
    await this.catchUp();
    return this.eventsAt(this.index.keyed.get(key) ?? []);
  }

  subscribe(options: SubscriptionOptions): Subscription {
    this.listenForAppends();
    return new CatchUpSubscription((o) => this.readAll(o), this.notifier, options, this.pollMs);
  }

  /** A server subscription to the ledger's end wakes subscribers on appends by other processes. */
  private listenForAppends(): void {
    if (this.wakeUps) return;
    try {
      const subscription = this.client.subscribeToStream(this.ledger, { fromRevision: END });
      subscription.on('data', () => this.notifier.notify());
      // Polling covers a dropped server subscription; forget it so the next subscribe opens a new one.
      subscription.on('error', () => {
        if (this.wakeUps === subscription) this.wakeUps = null;
      });
      this.wakeUps = subscription;
    } catch {
      this.wakeUps = null;
    }
  }

  async close(): Promise<void> {
    await this.appendQueue;
    const wakeUps = this.wakeUps;
    this.wakeUps = null;
    await wakeUps?.unsubscribe().catch(() => undefined);
    await this.client.dispose();
  }
}
