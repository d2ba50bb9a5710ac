import { invalid, isIsoDate, isIsoInstant } from '@trial-ledger/domain';
import { commandEndAt, type EventStore } from '@trial-ledger/event-store';

/** "As the ledger knew it": by recording instant, by global position, or both (the earlier wins). */
export interface AsOfOptions {
  /** A recording instant (ISO 8601 with zone), or a date meaning the end of that UTC day. */
  readonly asKnownAt?: string | null;
  readonly toPosition?: number | null;
  /** The instant the question is asked (default: the system clock): `asKnownAt` may not lie after it. */
  readonly now?: string;
}

export interface ResolvedAsOf {
  /** The last global position included: a position asked for is carried to the end of its command (`commandEndAt`). */
  readonly position: number;
  /** The instant as normalised to UTC with ms (what `recordedAt` is compared with), or null. */
  readonly asKnownAt: string | null;
}

/**
 * A bound in words, for a refusal that names it: "as known at T (log position N)" when an instant was
 * asked for — what the reader gave — else "as of position N".
 */
export const asOfInWords = (asOf: ResolvedAsOf): string =>
  asOf.asKnownAt === null ? `as of position ${asOf.position}` : `as known at ${asOf.asKnownAt} (log position ${asOf.position})`;

/**
 * Normalises `asKnownAt` to the store's `recordedAt` form (UTC, ms) so that `+02:00` offsets and
 * missing milliseconds compare correctly, and turns it into a log position: bitemporal replay then
 * reads one consistent prefix of the log whatever is appended meanwhile.
 */
export const resolveAsOf = async (store: EventStore, options: AsOfOptions = {}): Promise<ResolvedAsOf> => {
  const asKnownAt = normaliseInstant(options.asKnownAt ?? null);
  if (asKnownAt !== null) notInFuture(asKnownAt, options.now ?? new Date().toISOString());
  const toPosition = options.toPosition ?? null;
  if (toPosition !== null && !(Number.isSafeInteger(toPosition) && toPosition >= 0)) {
    invalid('REPLAY.INVALID_POSITION', `position must be a whole number ≥ 0 (got ${String(toPosition)})`, { position: toPosition });
  }
  const head = (await store.head()).position;
  // A position the log has not reached is refused, not read as the head: the answer would change as the
  // log grows, and a replay must give the same answer whenever it is asked.
  if (toPosition !== null && toPosition > head) {
    invalid('REPLAY.POSITION_BEYOND_HEAD', `position ${toPosition} lies beyond the head of the log (${head})`, { position: toPosition, head });
  }
  let position = toPosition === null ? head : await commandEndAt(store, toPosition);
  if (asKnownAt !== null) position = Math.min(position, await store.positionAt(asKnownAt));
  return { position, asKnownAt };
};

export const normaliseInstant = (value: string | null): string | null => {
  if (value === null || value === undefined || value === '') return null;
  if (isIsoDate(value)) return `${value}T23:59:59.999Z`;
  if (!isIsoInstant(value)) {
    invalid('REPLAY.INVALID_AS_KNOWN_AT', `asKnownAt must be an ISO 8601 instant with a zone, e.g. 2026-03-01T12:00:00Z (got ${value})`, {
      asKnownAt: value,
    });
  }
  return new Date(value).toISOString();
};

/**
 * An instant after `now` is refused, not read as now: "as known at" a time still to come would answer with
 * today's knowledge, which can still change — as a position beyond the head of the log is refused. A bare
 * date means the end of that UTC day, so today's date is still to come. Both are normalised instants.
 */
export const notInFuture = (asKnownAt: string, now: string): void => {
  if (asKnownAt > new Date(now).toISOString()) {
    invalid('REPLAY.AS_KNOWN_AT_IN_FUTURE', `asKnownAt ${asKnownAt} lies after the current time (${now}): what the ledger will know then is not known yet`, {
      asKnownAt,
      now,
    });
  }
};

/**
 * The instant a view bound to the past is read at — what a query's age is measured to. At the head, `now`;
 * as known at an instant, that instant (never later than `now`); at a position the caller named, the
 * recording time of the event there; given both, the earlier (as for the entries shown). So a replay gives
 * the same answer whenever it is asked, as "what the ledger said" must.
 */
export const instantOfAsOf = async (store: EventStore, bound: { readonly asKnownAt: string | null; readonly position: number | null }, now: string): Promise<string> => {
  const asKnownAt = bound.asKnownAt === null ? now : (normaliseInstant(bound.asKnownAt) ?? now);
  let instant = asKnownAt < now ? asKnownAt : now;
  // Position 0 holds nothing, and so no query to measure.
  if (bound.position === null || bound.position <= 0) return instant;
  for await (const event of store.readAll({ afterPosition: bound.position - 1, toPosition: bound.position, batchSize: 1 })) {
    if (event.metadata.recordedAt < instant) instant = event.metadata.recordedAt;
  }
  return instant;
};
