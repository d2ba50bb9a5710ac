import { upcast, type Actor, type DosingRule } from '@trial-ledger/domain';
import type { EventStore, StoredEvent } from '@trial-ledger/event-store';
import { monitoringFolder, toProjected, type MonitoringState } from '@trial-ledger/projections';
import { streamOwner } from '../shared/stream-ids';
import { redactedData } from '../trail/redaction';
import { AE_OUTCOME_ITEMS } from './odm-adverse-event-outcomes';
import { OdmCatalogue } from './odm-catalogue';

/** Subject-stream events that are not forms of their own but transactions on, or signatures of, others. */
export const META_TYPES = new Set(['EntryCorrected', 'EntryVoided', 'CasebookSigned', 'RecordSigned']);

export interface StudyInfo {
  readonly studyId: string;
  title: string;
  registeredOn: string | null;
  readonly subjects: Map<string, string>; // streamId → subjectId, in order of first appearance
  /** The dosing schedule of each protocol version, from the log position it was registered or amended at. */
  readonly schedules: Array<{ readonly position: number; readonly version: number; readonly rule: DosingRule }>;
}

export interface Survey {
  readonly studies: Map<string, StudyInfo>;
  readonly users: Map<string, Actor>;
  readonly catalogue: OdmCatalogue;
  head: StoredEvent | null;
  /** Per study: the monitoring read model (queries, SDV), for the annotations. */
  readonly monitoring: Map<string, MonitoringState>;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Pass 1 over the log: studies, subjects, users and the field catalogue (memory: small maps only). */
export const survey = async (store: EventStore, onlyStudy?: string, throughPosition?: number): Promise<Survey> => {
  const result: Survey = { studies: new Map(), users: new Map(), catalogue: new OdmCatalogue(), head: null, monitoring: new Map() };
  const study = (studyId: string): StudyInfo => {
    const found = result.studies.get(studyId) ?? { studyId, title: studyId, registeredOn: null, subjects: new Map(), schedules: [] };
    result.studies.set(studyId, found);
    return found;
  };
  const monitoringFolders = new Map<string, ReturnType<typeof monitoringFolder>>();
  for await (const stored of store.readAll({ batchSize: 2000, ...(throughPosition !== undefined ? { toPosition: throughPosition } : {}) })) {
    // Values in the current schema of their type, as the casebook reads them (the hash stays the stored event's).
    const event = upcast(stored);
    result.head = event;
    const { actor } = event.metadata;
    result.users.set(actor.userId, actor);
    if (event.type === 'UserCreated') {
      const d = event.data as Partial<Actor>;
      if (d.userId && d.username && d.fullName && d.role) result.users.set(d.userId, { userId: d.userId, username: d.username, fullName: d.fullName, role: d.role });
    }
    const owner = streamOwner(event.streamId);
    if (!owner.studyId || (onlyStudy !== undefined && owner.studyId !== onlyStudy)) continue;
    // Queries and SDV are annotations on the entries they concern, not subjects or forms of their own.
    const folder = monitoringFolders.get(owner.studyId) ?? monitoringFolder(owner.studyId);
    monitoringFolders.set(owner.studyId, folder);
    folder.add(toProjected(event));
    if (event.streamId.startsWith('query-') || event.streamId.startsWith('sdv-')) continue;
    if (event.streamId.startsWith('study-')) {
      const info = study(owner.studyId);
      if (event.type === 'StudyRegistered') {
        const protocol = event.data.protocol as { title?: unknown } | undefined;
        if (typeof protocol?.title === 'string') info.title = protocol.title;
        info.registeredOn = event.metadata.recordedAt.slice(0, 10);
      }
      if (event.type === 'StudyRegistered' || event.type === 'ProtocolAmended') {
        const protocol = event.data.protocol as { version?: unknown; treatment?: DosingRule } | undefined;
        if (protocol?.treatment && typeof protocol.version === 'number') info.schedules.push({ position: event.globalPosition, version: protocol.version, rule: protocol.treatment });
      }
      continue;
    }
    if (!owner.subjectId) continue;
    const info = study(owner.studyId);
    if (!info.subjects.has(event.streamId)) info.subjects.set(event.streamId, owner.subjectId);
    if (!META_TYPES.has(event.type)) result.catalogue.observe(event.type, redactedData(event));
    else if (event.type === 'EntryCorrected' && typeof event.data.targetType === 'string' && isRecord(event.data.after)) {
      result.catalogue.observe(event.data.targetType, event.data.after);
    }
    // The adverse event's form shows its current outcome and end date (derived items, `odm-adverse-event-outcomes`).
    const outcome = event.type === 'AdverseEventOutcomeRecorded' ? event.data : event.type === 'EntryCorrected' && event.data.targetType === 'AdverseEventOutcomeRecorded' ? event.data.after : null;
    if (isRecord(outcome)) {
      result.catalogue.observe('AdverseEventReported', Object.fromEntries(AE_OUTCOME_ITEMS.filter((item) => item in outcome).map((item) => [item, outcome[item]])));
    }
  }
  for (const [studyId, folder] of monitoringFolders) result.monitoring.set(studyId, folder.state());
  return result;
};
