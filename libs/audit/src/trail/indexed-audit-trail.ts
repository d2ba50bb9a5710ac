import type { EventStore } from '@trial-ledger/event-store';
import type { AuditIndexQuery, AuditIndexRow, AuditTrailIndexStore } from '@trial-ledger/projections';
import { checkTrailPage, toAuditTrailRow, trailWindow, trailTypeList, type AuditTrailFilter, type AuditTrailPage, type AuditTrailRow } from './audit-trail.query';

/** Rows read from the index per batch of a download. */
const BATCH = 500;

/**
 * The trail's rows of index rows: each event read by its id and rendered as every trail renders it
 * (`toAuditTrailRow`). A query's subject is the one its `QueryOpened` names, which the index keeps and
 * the event itself may not repeat.
 */
export const rowsOfIndex = async (store: EventStore, found: readonly AuditIndexRow[]): Promise<AuditTrailRow[]> => {
  const rows: AuditTrailRow[] = [];
  for (const entry of found) {
    const event = await store.getEvent(entry.eventId);
    if (event === null) throw new Error(`The audit-trail index names event ${entry.eventId} at position ${entry.position}, which the ledger does not hold`);
    const row = await toAuditTrailRow(store, event);
    rows.push(entry.streamId.startsWith('query-') ? { ...row, subjectId: entry.subjectId } : row);
  }
  return rows;
};

/** Every row matching `query`, oldest first (the order of the log and of the downloads), read in batches. */
export async function* indexedTrailRows(index: AuditTrailIndexStore, store: EventStore, query: AuditIndexQuery): AsyncIterable<AuditTrailRow> {
  for (let after = 0; ; ) {
    const found = await index.find({ ...query, afterPosition: after }, BATCH, 'oldest-first');
    yield* await rowsOfIndex(store, found);
    if (found.length < BATCH) return;
    after = found[found.length - 1].position;
  }
}

/**
 * The API's trail filter (`?study=&subject=&user=&from=&to=&type=`) as a query of the index, bound to
 * the log position the answer stands at. Its study and subject conditions mean what they mean on the
 * log (a subject's stream, the study-stream events naming it, its queries and SDV): the index keeps
 * each event's study and subject by the same rule (`eventOwner`), which a test holds against the log.
 */
export const indexQueryOfTrailFilter = (filter: AuditTrailFilter, throughPosition: number): AuditIndexQuery => {
  const types = trailTypeList(filter.type);
  const { from, to } = trailWindow(filter);
  const bound = filter.throughPosition === undefined ? throughPosition : Math.min(filter.throughPosition, throughPosition);
  return {
    throughPosition: bound,
    ...(filter.studyId !== undefined ? { studyId: filter.studyId } : {}),
    ...(filter.subjectId !== undefined ? { subjectId: filter.subjectId } : {}),
    ...(filter.user !== undefined ? { user: filter.user } : {}),
    ...(types !== null ? { types: [...types] } : {}),
    ...(from !== null ? { from } : {}),
    ...(to !== null ? { to } : {}),
  };
};

/** One page of the trail (1-based `page`, oldest first) from the index: one indexed read, then the page's events. */
export const indexedTrailPage = async (
  index: AuditTrailIndexStore,
  store: EventStore,
  filter: AuditTrailFilter,
  page: number,
  pageSize: number,
  throughPosition: number,
): Promise<AuditTrailPage> => {
  checkTrailPage(page, pageSize);
  const query = indexQueryOfTrailFilter(filter, throughPosition);
  const found = await index.find(query, pageSize + 1, 'oldest-first', (page - 1) * pageSize);
  const items = await rowsOfIndex(store, found.slice(0, pageSize));
  return { items, page, pageSize, hasMore: found.length > pageSize };
};

