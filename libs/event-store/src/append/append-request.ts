import { InvalidAppendError } from '../event-store.errors';
import type { AppendRequest } from '../event-store.port';

/** A UTF-16 surrogate without its pair. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Whether a name kept in a column beside the chain (stream id, event id, type, idempotency key) is
 * stored as it was hashed. PostgreSQL text cannot hold U+0000, and both drivers write a lone
 * surrogate as U+FFFD: the column would no longer be the hashed value, and the store's own `verify`
 * would report the event as altered. (Free text inside data and metadata is JSON, where both are escaped.)
 */
export const isStorableName = (text: string): boolean => !text.includes('\u0000') && !LONE_SURROGATE.test(text);

/** The largest schema version every store keeps (PostgreSQL `integer`). */
export const MAX_SCHEMA_VERSION = 2 ** 31 - 1;

const requireStorableName = (what: string, text: string | null | undefined): void => {
  if (typeof text === 'string' && !isStorableName(text)) {
    throw new InvalidAppendError(`The ${what} ${JSON.stringify(text)} holds U+0000 or an unpaired surrogate, which the store cannot keep as text`);
  }
};

/**
 * The shape rules of an append, checked before any I/O: at least one event, no stream written twice
 * (two writes to one stream would each claim the same expected version), names every store keeps
 * as hashed (`isStorableName`), schema versions from 1 to 2^31 - 1, and with an idempotency key one acting user whose key it is, and no
 * event claiming another key.
 */
export const validateAppendRequest = (request: AppendRequest): void => {
  if (request.writes.length === 0 || request.writes.every((w) => w.events.length === 0)) {
    throw new InvalidAppendError('An append needs at least one event');
  }
  requireStorableName('idempotency key', request.idempotencyKey);
  for (const check of request.checks ?? []) requireStorableName('stream id', check.streamId);
  for (const write of request.writes) {
    requireStorableName('stream id', write.streamId);
    for (const event of write.events) {
      requireStorableName('event id', event.eventId);
      requireStorableName('event type', event.type);
      if (!(Number.isInteger(event.schemaVersion) && event.schemaVersion >= 1 && event.schemaVersion <= MAX_SCHEMA_VERSION)) {
        throw new InvalidAppendError(`Event ${event.eventId} has schema version ${String(event.schemaVersion)}: a whole number from 1 to ${MAX_SCHEMA_VERSION}`);
      }
    }
  }
  const streams = new Set<string>();
  for (const write of request.writes) {
    if (streams.has(write.streamId)) throw new InvalidAppendError(`Stream ${write.streamId} is written twice in one append`);
    streams.add(write.streamId);
  }
  const key = request.idempotencyKey ?? null;
  const events = request.writes.flatMap((w) => w.events);
  for (const event of events) {
    const claimed = event.metadata.idempotencyKey ?? null;
    if (claimed !== null && claimed !== key) throw new InvalidAppendError(`Event ${event.eventId} carries idempotency key ${claimed}, the append ${key ?? 'none'}`);
  }
  if (key !== null && new Set(events.map((e) => e.metadata.actor.userId)).size !== 1) {
    throw new InvalidAppendError('An append with an idempotency key is made by one user: the key is scoped to that user');
  }
};

/** The user an append's idempotency key belongs to (after `validateAppendRequest`). */
export const keyOwnerOf = (request: AppendRequest): string => request.writes.find((w) => w.events.length > 0)?.events[0].metadata.actor.userId ?? '';

/** Every stream an append reads or writes: what an adapter must look up before deciding. */
export const streamsOf = (request: AppendRequest): string[] => [
  ...new Set([...(request.checks ?? []).map((c) => c.streamId), ...request.writes.map((w) => w.streamId)]),
];
