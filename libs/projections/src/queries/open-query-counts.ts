import { QUERY_ID, queryStreamId } from '@trial-ledger/domain';
import type { ProjectedEvent } from '../projected-event';

/**
 * The open-query counts of the clinical read models: how many queries (discrepancy notes) of a study and
 * of each of its subjects still await resolution — opened or reopened and not yet closed or cancelled,
 * whether or not the site has answered (an answered query waits for the monitor's decision). Kept per
 * query event in O(1): each query has a line saying whose it is and whether it is open, and an event
 * that opens or resolves it moves its subject's count and its study's count by one.
 */

/** One query's line (`query/{studyId}/{queryId}`). */
export interface QueryLine {
  readonly subjectId: string;
  /** Opened or reopened and neither closed nor cancelled since. */
  readonly open: boolean;
  /** Position of the last event folded into the line: a query event is folded once. */
  readonly lastPosition: number;
}

/** The open queries of a study (`open-queries/{studyId}`) or of one of its subjects (`open-queries/{studyId}/{subjectId}`). */
export interface OpenQueryCount {
  readonly openQueries: number;
}

export const queryLineKey = (studyId: string, queryId: string): string => `query/${studyId}/${queryId}`;
export const studyOpenQueriesKey = (studyId: string): string => `open-queries/${studyId}`;
export const subjectOpenQueriesKey = (studyId: string, subjectId: string): string => `open-queries/${studyId}/${subjectId}`;

const QUERY_STREAM_PREFIX = 'query-';

/** The study and query a query-stream event belongs to, from its data and checked against its stream id; null for anything else. */
export const queryOfEvent = (event: ProjectedEvent): { studyId: string; queryId: string } | null => {
  if (!event.streamId.startsWith(QUERY_STREAM_PREFIX)) return null;
  const queryId = (event.data as { queryId?: unknown }).queryId;
  if (typeof queryId !== 'string' || !QUERY_ID.test(queryId)) return null;
  const studyId = event.streamId.slice(QUERY_STREAM_PREFIX.length, event.streamId.length - queryId.length - 1);
  return studyId !== '' && queryStreamId(studyId, queryId) === event.streamId ? { studyId, queryId } : null;
};

/** Whether a query is open after this event of its stream (undefined: the event does not move it). */
const openAfter = (type: string): boolean | undefined => {
  switch (type) {
    case 'QueryOpened':
    case 'QueryReopened':
      return true;
    case 'QueryClosed':
    case 'QueryCancelled':
      return false;
    default:
      return undefined;
  }
};

type Documents = Readonly<Record<string, unknown>>;

const countOf = (state: Documents, key: string): number => (state[key] as OpenQueryCount | undefined)?.openQueries ?? 0;

/**
 * The rows a query event changes: its line, and, when it opens or resolves the query, the open-query
 * counts of its subject and its study. Null when it changes nothing (an answer, an event folded before,
 * an event of a query whose opening was never seen).
 */
export const openQueryChanges = (state: Documents, event: ProjectedEvent): Record<string, QueryLine | OpenQueryCount> | null => {
  const query = queryOfEvent(event);
  if (query === null) return null;
  const { studyId, queryId } = query;
  const lineKey = queryLineKey(studyId, queryId);
  const line = state[lineKey] as QueryLine | undefined;
  if (line !== undefined && event.globalPosition <= line.lastPosition) return null;
  let subjectId = line?.subjectId;
  if (event.type === 'QueryOpened' && line === undefined) {
    const target = (event.data as { target?: { subjectId?: unknown } }).target;
    subjectId = typeof target?.subjectId === 'string' ? target.subjectId : undefined;
  }
  if (subjectId === undefined) return null;
  const wasOpen = line?.open ?? false;
  const open = openAfter(event.type) ?? wasOpen;
  const changes: Record<string, QueryLine | OpenQueryCount> = { [lineKey]: { subjectId, open, lastPosition: event.globalPosition } };
  if (open !== wasOpen) {
    const delta = open ? 1 : -1;
    changes[subjectOpenQueriesKey(studyId, subjectId)] = { openQueries: countOf(state, subjectOpenQueriesKey(studyId, subjectId)) + delta };
    changes[studyOpenQueriesKey(studyId)] = { openQueries: countOf(state, studyOpenQueriesKey(studyId)) + delta };
  }
  return changes;
};

/** The open queries of a study, and of one of its subjects, as the read models hold them (0 when none was ever opened). */
export const studyOpenQueries = (state: Documents, studyId: string): number => countOf(state, studyOpenQueriesKey(studyId));
export const subjectOpenQueries = (state: Documents, studyId: string, subjectId: string): number => countOf(state, subjectOpenQueriesKey(studyId, subjectId));
