import type { EventStore } from '@trial-ledger/event-store';
import { casebookMonitoring, replayMonitoring, type CasebookMonitoring } from '../queries/monitoring.projection';
import { instantOfAsOf } from './as-of';
import type { ReplayedCasebook } from './replay-subject';

/** The casebook with each entry's queries and SDV state, as the API's casebook and `replay --subject --json` give it. */
export type CasebookWithMonitoring = ReplayedCasebook & { readonly monitoring: CasebookMonitoring };

/**
 * Joins to a casebook each entry's queries and SDV state from the monitoring read model folded to the
 * casebook's own position. A casebook as of the past (`asKnownAt` or `position` named) shows query ages
 * as they were then (the bound's instant), not as of `now`; a position counts as a bound only when named
 * (one resolved from `asKnownAt` alone is its last event, earlier than the instant).
 */
export const withCasebookMonitoring = async (
  store: EventStore,
  replayed: ReplayedCasebook,
  bound: { readonly asKnownAt: string | null; readonly position: number | null },
  now: string,
): Promise<CasebookWithMonitoring> => {
  const { studyId, subjectId } = replayed.casebook;
  const monitoring = await replayMonitoring(store, studyId, replayed.asOf.position);
  const bounded = bound.asKnownAt !== null || bound.position !== null;
  const position = bound.position === null ? null : replayed.asOf.position;
  const at = bounded ? await instantOfAsOf(store, { asKnownAt: bound.asKnownAt, position }, now) : now;
  return { ...replayed, monitoring: casebookMonitoring(monitoring, subjectId, at) };
};
