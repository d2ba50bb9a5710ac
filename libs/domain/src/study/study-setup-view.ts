import type { StudyEventType } from '../events/event.types';
import type { ProtocolDocument } from '../protocol/protocol.types';
import type { ProtocolVersionEntry, RegisteredStudyState } from './study.state';

/**
 * The study stream's set-up events: what the administrator records and may read back (SPEC §5: users
 * and study set-up, never clinical data). An allow-list, so an event type added to the study stream
 * later stays hidden from the administrator until it is named here. `SubjectAddedToRoster` (a subject
 * id and its enrollment date) is clinical.
 */
export const STUDY_SETUP_EVENT_TYPES: readonly StudyEventType[] = ['StudyRegistered', 'ProtocolAmended', 'StudyLocked', 'StudyUnlocked'];

export const isStudySetupEvent = (type: string): boolean => (STUDY_SETUP_EVENT_TYPES as readonly string[]).includes(type);

/** The study as the administrator sees it: protocol in force, its amendments and the lock state; no roster. */
export type StudySetupView =
  | { readonly studyId: string; readonly status: 'active'; readonly protocol: ProtocolDocument; readonly protocolHistory: readonly ProtocolVersionEntry[] }
  | { readonly studyId: string; readonly status: 'locked'; readonly lockReason: string; readonly protocol: ProtocolDocument; readonly protocolHistory: readonly ProtocolVersionEntry[] };

/** Field by field (not the state minus its roster), so a clinical field added to the state later is not shown by default. */
export const studySetupView = (state: RegisteredStudyState): StudySetupView => {
  const common = { studyId: state.studyId, protocol: state.protocol, protocolHistory: state.protocolHistory };
  return state.status === 'locked' ? { ...common, status: 'locked', lockReason: state.lockReason } : { ...common, status: 'active' };
};
