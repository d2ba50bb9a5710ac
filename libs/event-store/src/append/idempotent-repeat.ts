import type { StoredEvent } from '../event-envelope';
import { IdempotencyKeyReusedError } from '../event-store.errors';
import type { AppendResult, EventStore, IdempotencyRecord } from '../event-store.port';

/** An earlier request with the same idempotency key, and the events it wrote. */
export interface EarlierRequest {
  readonly record: IdempotencyRecord;
  readonly events: readonly StoredEvent[];
}

/** Who asks, under which key, with which request: what an idempotent repeat is looked up by. */
export interface IdempotentRequest {
  readonly key: string;
  /** The acting user: keys are scoped per user (the same key from another user is another key). */
  readonly userId: string;
  readonly requestHash: string | null;
}

/**
 * The earlier request with `key` by `userId`, derived from the chained events only: of the
 * candidates (whatever an index said carries the key), those whose own hashed metadata carries the
 * key and the user; of them the first append (a run of consecutive positions: one append is
 * gapless). A candidate an altered index points at is ignored. Events recorded before the request
 * fingerprint was kept bind by key alone (`requestHash` null).
 */
export const deriveEarlierRequest = (key: string, userId: string | null, candidates: readonly StoredEvent[]): EarlierRequest | null => {
  const carrying = candidates
    .filter((e) => e.metadata.idempotencyKey === key && (userId === null || e.metadata.actor?.userId === userId))
    .sort((a, b) => a.globalPosition - b.globalPosition);
  if (carrying.length === 0) return null;
  const events = [carrying[0]];
  for (const next of carrying.slice(1)) {
    if (next.globalPosition !== events[events.length - 1].globalPosition + 1) break;
    events.push(next);
  }
  const streamVersions: Record<string, number> = {};
  for (const e of events) streamVersions[e.streamId] = Math.max(streamVersions[e.streamId] ?? 0, e.streamVersion);
  const first = events[0];
  return {
    record: {
      key,
      userId: first.metadata.actor.userId,
      requestHash: first.metadata.requestHash ?? null,
      eventIds: events.map((e) => e.eventId),
      streamVersions,
      lastPosition: events[events.length - 1].globalPosition,
      recordedAt: first.metadata.recordedAt,
    },
    events,
  };
};

/**
 * The idempotent answer (an "idempotent repeat"): the same key with the same request fingerprint gets
 * the first outcome and writes nothing; with another fingerprint it is refused, so a key can never
 * carry two different requests.
 */
export const answerRepeat = (earlier: EarlierRequest, requestHash: string | null): AppendResult => {
  const { record } = earlier;
  if (record.requestHash !== null && requestHash !== null && record.requestHash !== requestHash) throw new IdempotencyKeyReusedError(record.key);
  return { events: earlier.events, streamVersions: { ...record.streamVersions }, lastPosition: record.lastPosition, repeated: true };
};

/** The idempotency record of `key` for `userId`, derived from the chained events; null when the user never used the key. */
export const findIdempotencyRecord = async (store: EventStore, key: string, userId: string): Promise<IdempotencyRecord | null> =>
  deriveEarlierRequest(key, userId, await store.eventsWithIdempotencyKey(key))?.record ?? null;

/**
 * The idempotent answer to a request, if its user used its key before; null when the key is new. The
 * command pipeline asks this before deciding (a repeated enrolment must not be refused as a second
 * one); the store asks the same question again under its append lock.
 */
export const findRepeat = async (store: EventStore, request: IdempotentRequest): Promise<AppendResult | null> => {
  const earlier = deriveEarlierRequest(request.key, request.userId, await store.eventsWithIdempotencyKey(request.key));
  return earlier ? answerRepeat(earlier, request.requestHash) : null;
};
