import { createHash } from 'node:crypto';
import { newEventId } from './event-ids';

/**
 * A new query id: a UUID v7 without its dashes (32 hex digits), time-ordered like event ids, so that
 * `query-{studyId}-{queryId}` splits one way only.
 */
export const newQueryId = (): string => newEventId().replace(/-/g, '');

/**
 * The id of a query opened under an idempotency key: derived from the user and the key, so a retry of
 * the same request names the same query (and so matches the first request's fingerprint), while two
 * users' keys never collide.
 */
export const queryIdFor = (userId: string, idempotencyKey: string | null): string =>
  idempotencyKey === null ? newQueryId() : createHash('sha256').update(`${userId}\u0000${idempotencyKey}`).digest('hex').slice(0, 32);
