import { withDosingRule, type DosingRuleHistory, type IsoDate, type ProtocolDocument } from '@trial-ledger/domain';
import type { ProjectedEvent } from '../projected-event';

/**
 * What the study stream (`study-{studyId}`) says besides its roster: the protocol in force, every protocol
 * version's dosing schedule and the lock state. The roster is kept line by line beside it (`rosterLineOf`), so the study's row stays the same
 * size however many subjects enrol and an enrollment costs the same in a study of any size.
 */
export interface StudyContext {
  readonly studyId: string;
  readonly protocol: ProtocolDocument | null;
  /** The dosing schedule of every protocol version registered or amended: each dose is judged by its own version's. */
  readonly dosingRules: DosingRuleHistory;
  readonly locked: boolean;
  readonly lastPosition: number;
}

/** One line of the enrollment roster (a `SubjectAddedToRoster`): the entries that make the hard cap hold (SPEC §1). */
export interface RosterLine {
  readonly subjectId: string;
  readonly subjectNumber: number;
  readonly enrollmentDate: IsoDate;
}

export const initialStudyContext = (studyId: string): StudyContext => ({ studyId, protocol: null, dosingRules: [], locked: false, lastPosition: 0 });

/** Folds one event of the study stream but its roster line (`rosterLineOf`); idempotent by position like every projection here. */
export const evolveStudyContext = (context: StudyContext, event: ProjectedEvent): StudyContext => {
  if (event.globalPosition <= context.lastPosition) return context;
  const moved = { ...context, lastPosition: event.globalPosition };
  const data = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'StudyRegistered':
    case 'ProtocolAmended':
      return { ...moved, protocol: data.protocol as ProtocolDocument, dosingRules: withDosingRule(context.dosingRules ?? [], data.protocol as ProtocolDocument) };
    case 'StudyLocked':
      return { ...moved, locked: true };
    case 'StudyUnlocked':
      return { ...moved, locked: false };
    default:
      return moved;
  }
};

/** The subject and new enrollment date of a `RosterEnrollmentDateCorrected`, else null. */
export const rosterDateCorrectionOf = (event: ProjectedEvent): Pick<RosterLine, 'subjectId' | 'enrollmentDate'> | null => {
  if (event.type !== 'RosterEnrollmentDateCorrected') return null;
  const data = event.data as Record<string, unknown>;
  return { subjectId: String(data.subjectId), enrollmentDate: String(data.enrollmentDate) };
};

/** The roster line a study-stream event adds, if it is a `SubjectAddedToRoster`. */
export const rosterLineOf = (event: ProjectedEvent): RosterLine | null => {
  if (event.type !== 'SubjectAddedToRoster') return null;
  const data = event.data as Record<string, unknown>;
  return { subjectId: String(data.subjectId), subjectNumber: Number(data.subjectNumber), enrollmentDate: String(data.enrollmentDate) };
};
