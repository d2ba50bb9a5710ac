import { notFound, studyStreamId } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import { replayMonitoring, type MonitoringState } from '@trial-ledger/projections';

/** The monitoring read model of a registered study (STUDY.NOT_REGISTERED otherwise, as every study read). */
export const monitoringOfStudy = async (store: EventStore, studyId: string): Promise<MonitoringState> => {
  if ((await store.streamVersion(studyStreamId(studyId))) === 0) notFound('STUDY.NOT_REGISTERED', `Study ${studyId} is not registered`, { studyId });
  return replayMonitoring(store, studyId);
};
