import { createHash } from 'node:crypto';
import { canonicalize } from 'json-canonicalize';
import { newEventId } from './event-ids';
import { currentSchemaVersion, type Actor, type CommandMetadata, type DomainEvent } from '@trial-ledger/domain';
import {
  ConcurrencyError,
  findRepeat,
  systemClock,
  type AppendResult,
  type Clock,
  type EventSource,
  type EventStore,
  type NewEvent,
  type StoredEvent,
} from '@trial-ledger/event-store';

/** Who, from where, and under which keys a command arrives; the server adds the time. */
export interface CommandEnvelope {
  readonly actor: Actor;
  readonly source: EventSource;
  readonly correlationId?: string;
  readonly causationId?: string | null;
  readonly idempotencyKey?: string | null;
  /** Fingerprint of the request body; the same key with another body is refused. See `requestFingerprint`. */
  readonly requestHash?: string | null;
  readonly reason?: string | null;
  /** The client's `If-Match`: the version of the primary stream it saw. A mismatch is refused, never retried (a conflict on another stream the decision reads is decided again). */
  readonly expectedVersion?: number;
  /** The client's `If-Match: *` on a route that creates the primary stream: it must exist already, else the command is refused (RFC 9110 §13.1.1). */
  readonly streamMustExist?: boolean;
  /** The client's `If-None-Match: *` on a route that creates the primary stream: it must not exist yet, else the command is refused (RFC 9110 §13.1.2). */
  readonly streamMustNotExist?: boolean;
}

export interface StreamDecision {
  readonly streamId: string;
  readonly events: readonly DomainEvent[];
}

export interface Decision {
  readonly writes: readonly StreamDecision[];
  /** Protocol version in force, stamped on each event's metadata. */
  readonly protocolVersion: number | null;
}

/**
 * One command, ready for the pipeline: which streams the decision reads, and the pure decision over
 * their events. Every stream read but not written is checked at append time, so a decision is never
 * based on a state that changed meanwhile (e.g. a study locked while a dose was being recorded).
 */
export interface CommandPlan {
  /**
   * The refusals that do not depend on any stream's state — above all the actor's role (Part 11
   * §11.10(g)) — run first, before the idempotency lookup: a key cannot buy a user an answer (or a
   * skipped import line) for a command their role may not issue.
   */
  authorize?(actor: Actor): void;
  readonly primaryStream: string;
  readonly readStreams: readonly string[];
  decide(streams: ReadonlyMap<string, readonly StoredEvent[]>, metadata: CommandMetadata): Decision | Promise<Decision>;
}

export interface CommandOutcome {
  readonly events: readonly StoredEvent[];
  readonly primaryStream: string;
  /** The primary stream's version after the command (the new `ETag`). */
  readonly primaryVersion: number;
  readonly lastPosition: number;
  /** True for an idempotent repeat: an earlier request with the same idempotency key answered again, nothing written. */
  readonly repeated: boolean;
}

export interface PipelineOptions {
  readonly clock?: Clock;
  /** Attempts on a concurrency conflict when the client did not pin a version. */
  readonly maxAttempts?: number;
}

/** SHA-256 of the canonical JSON of a request body: what an idempotency key is bound to. */
export const requestFingerprint = (body: unknown): string => createHash('sha256').update(canonicalize(body ?? null)).digest('hex');

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The client's pinned version of the command's own stream (`If-Match`) no longer holds: a failed
 * precondition (HTTP 412), not a lost race to retry. A `ConcurrencyError` otherwise (same code).
 */
export class StaleVersionError extends ConcurrencyError {}

/** `If-Match: *` on a primary stream that does not exist: a failed precondition like a stale version. */
export class StreamNotFoundForIfMatchError extends StaleVersionError {
  constructor(streamId: string) {
    super(streamId, 'any', 0);
    this.message = `Stream ${streamId} does not exist: If-Match: * holds only for one that does; send no If-Match to create it`;
  }
}

/** `If-None-Match: *` ("create only if absent") on a primary stream that exists: a failed precondition too. */
export class StreamExistsForIfNoneMatchError extends StaleVersionError {
  constructor(streamId: string, actualVersion: number) {
    super(streamId, 0, actualVersion);
    this.message = `Stream ${streamId} exists (version ${actualVersion}): If-None-Match: * holds only for one that does not; nothing was written`;
  }
}

/**
 * The one command pipeline (after emmett's `handleCommand`): authorize → answer an idempotent repeat →
 * read the streams → fold and decide → append with the expected versions → on a conflict, read again
 * and decide again (a client's pinned version of its own stream is checked again each time), or refuse.
 */
export const handleCommand = async (
  store: EventStore,
  plan: CommandPlan,
  envelope: CommandEnvelope,
  options: PipelineOptions = {},
): Promise<CommandOutcome> => {
  plan.authorize?.(envelope.actor);
  const clock = options.clock ?? systemClock;
  const key = envelope.idempotencyKey ?? null;
  const requestHash = envelope.requestHash ?? null;
  const correlationId = envelope.correlationId ?? newEventId();
  // A conflict is decided again also under If-Match: the client pinned its own stream's version, which is
  // checked again after every read, not the others the decision reads (a study stream moved by another
  // subject's enrollment does not make a signature or a dose stale).
  const maxAttempts = options.maxAttempts ?? 100;
  for (let attempt = 1; ; attempt += 1) {
    const streams = new Map<string, StoredEvent[]>();
    for (const streamId of new Set([plan.primaryStream, ...plan.readStreams])) streams.set(streamId, await store.readStream(streamId));
    if (key !== null) {
      // Before deciding, and after reading what the decision reads: a repeated enrolment must get its first
      // answer, not be refused as a second one, also when the first commits (on this server or another
      // one on the ledger) while this request is under way; one committed after the read is a conflict
      // at the append, or a repeat the store finds inside its transaction.
      const repeat = await findRepeat(store, { key, userId: envelope.actor.userId, requestHash });
      if (repeat) return outcomeOf(plan.primaryStream, repeat, 0);
    }
    const versionOf = (streamId: string): number => streams.get(streamId)?.at(-1)?.streamVersion ?? 0;
    if (envelope.expectedVersion !== undefined && envelope.expectedVersion !== versionOf(plan.primaryStream)) {
      throw new StaleVersionError(plan.primaryStream, envelope.expectedVersion, versionOf(plan.primaryStream));
    }
    if (envelope.streamMustExist && versionOf(plan.primaryStream) === 0) throw new StreamNotFoundForIfMatchError(plan.primaryStream);
    if (envelope.streamMustNotExist && versionOf(plan.primaryStream) !== 0) throw new StreamExistsForIfNoneMatchError(plan.primaryStream, versionOf(plan.primaryStream));
    const metadata: CommandMetadata = { actor: envelope.actor, now: clock.now(), reason: envelope.reason ?? null };
    const decision = await plan.decide(streams, metadata);
    const writes = decision.writes.filter((w) => w.events.length > 0);
    if (writes.length === 0) {
      return { events: [], primaryStream: plan.primaryStream, primaryVersion: versionOf(plan.primaryStream), lastPosition: (await store.head()).position, repeated: false };
    }
    const written = new Set(writes.map((w) => w.streamId));
    let causationId = envelope.causationId ?? null;
    const toNew = (event: DomainEvent): NewEvent => {
      const eventId = newEventId();
      const newEvent: NewEvent = {
        eventId,
        type: event.type,
        schemaVersion: currentSchemaVersion(event.type),
        data: event.data as Record<string, unknown>,
        metadata: {
          actor: envelope.actor,
          reason: envelope.reason ?? null,
          correlationId,
          causationId,
          idempotencyKey: key,
          source: envelope.source,
          protocolVersion: decision.protocolVersion,
        },
      };
      // Events after the first of a command are caused by it (e.g. a deviation detected from a dose).
      causationId = causationId ?? eventId;
      return newEvent;
    };
    try {
      const result = await store.append({
        writes: writes.map((w) => ({ streamId: w.streamId, expectedVersion: versionOf(w.streamId), events: w.events.map(toNew) })),
        checks: [...streams.keys()].filter((s) => !written.has(s)).map((streamId) => ({ streamId, expectedVersion: versionOf(streamId) })),
        idempotencyKey: key,
        requestHash,
      });
      return outcomeOf(plan.primaryStream, result, versionOf(plan.primaryStream));
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= maxAttempts) throw error;
      await pause(Math.floor(Math.random() * Math.min(50, attempt * 2)));
    }
  }
};

/** The pipeline's outcome of a store append (a new one, or an idempotent repeat). */
const outcomeOf = (primaryStream: string, result: AppendResult, primaryVersionBefore: number): CommandOutcome => ({
  events: result.events,
  primaryStream,
  primaryVersion: result.streamVersions[primaryStream] ?? primaryVersionBefore,
  lastPosition: result.lastPosition,
  repeated: result.repeated,
});
