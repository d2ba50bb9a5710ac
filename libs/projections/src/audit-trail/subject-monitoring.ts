import type { EventStore, StoredEvent } from '@trial-ledger/event-store';
import { toProjected } from '../projected-event';
import { monitoringFolder, type MonitoringState } from '../queries/monitoring.projection';
import type { AuditTrailIndexStore } from './audit-trail-index.port';

/**
 * The monitoring state one casebook page needs — the subject's entries and changes, its SDV stream and
 * the queries about it — folded from those streams only, up to `position`. The audit-trail index says
 * which streams concern the subject (a query stream by the subject its `QueryOpened` names), so the page
 * reads a few streams instead of the log; the monitoring of other subjects is not in the result.
 */
export const replaySubjectMonitoring = async (
  store: EventStore,
  index: AuditTrailIndexStore,
  studyId: string,
  subjectId: string,
  position: number,
): Promise<MonitoringState> => {
  const streams = new Set(await index.streamsOfSubject(studyId, subjectId, position));
  streams.delete(`study-${studyId}`);
  const read = await Promise.all([...streams].map((streamId) => store.readStream(streamId, { toPosition: position })));
  const events: StoredEvent[] = read.flat().sort((a, b) => a.globalPosition - b.globalPosition);
  const folder = monitoringFolder(studyId);
  for (const event of events) folder.add(toProjected(event));
  return folder.state();
};
