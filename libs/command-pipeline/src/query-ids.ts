import { newEventId } from './event-ids';

/**
 * A new query id: a UUID v7 without its dashes (32 hex digits), time-ordered like event ids, so that
 * `query-{studyId}-{queryId}` splits one way only.
 */
export const newQueryId = (): string => newEventId().replace(/-/g, '');
