import type { StoredEvent } from '../event-envelope';
import { IdempotencyKeyReusedError } from '../event-store.errors';
import type { AppendResult, EventStore, IdempotencyRecord } from '../event-store.port';

/** An earlier request with the same idempotency key, and the events it wrote. */
export interface EarlierRequest {
  readonly record: IdempotencyRecord;
  readonly events: readonly StoredEvent[];
}

/**
 * The idempotent answer (an "idempotent repeat"): the same key with the same request fingerprint gets
 * the first outcome and writes nothing; with another fingerprint it is refused, so a key can never
 * carry two different requests. A side without a fingerprint binds by key alone.
 */
export const answerRepeat = (earlier: EarlierRequest, requestHash: string | null): AppendResult => {
  const { record } = earlier;
  if (record.requestHash !== null && requestHash !== null && record.requestHash !== requestHash) throw new IdempotencyKeyReusedError(record.key);
  return { events: earlier.events, streamVersions: { ...record.streamVersions }, lastPosition: record.lastPosition, repeated: true };
};

/**
 * The idempotent answer to a request, if its key was used before; null when the key is new. The
 * command pipeline asks this before deciding (a repeated enrolment must not be refused as a second
 * one); the store asks the same question again under its append lock.
 */
export const findRepeat = async (store: EventStore, key: string, requestHash: string | null): Promise<AppendResult | null> => {
  const record = await store.findIdempotencyRecord(key);
  if (!record) return null;
  const events = (await Promise.all(record.eventIds.map((id) => store.getEvent(id)))).filter((e): e is StoredEvent => e !== null);
  return answerRepeat({ record, events }, requestHash);
};
