import type { CommandMetadata } from '../shared/decider';
import type { StudyState } from '../study/study.state';
import { requirePayload } from '../subject/payload.validate';
import { requireScreened } from '../subject/decisions/guards';
import type { SubjectState } from '../subject/subject.state';
import type { MonitoringCommand, RecordSourceVerified } from './monitoring.types';
import { requireMonitoringRole, requireOpenStudy, requireSubjectId } from './query.decider';
import { refuse } from '../shared/domain-error';
import { SYSTEM_DERIVED_ENTRY_TYPES, targetEntryOf, valueAt, valueHash } from './target-entry';

/** One verification on record: which entry, bound to which value, and when. */
export interface SourceVerificationFact {
  readonly eventId: string;
  readonly targetEventId: string;
  readonly verifiedValueHash: string;
  /** Its log position: what "a correction since" is judged by (several events can share a millisecond). */
  readonly globalPosition: number;
  readonly recordedAt: string;
}

/** The SDV stream of a subject (`sdv-{studyId}-{subjectId}`): every verification, in recording order. */
export type SourceVerificationState = { readonly status: 'none' } | { readonly status: 'verifying'; readonly verifications: readonly SourceVerificationFact[] };

export const initialSourceVerificationState = (): SourceVerificationState => ({ status: 'none' });

export const evolveSourceVerification = (
  state: SourceVerificationState,
  event: RecordSourceVerified & { readonly eventId: string; readonly globalPosition: number; readonly recordedAt: string },
): SourceVerificationState => {
  const fact: SourceVerificationFact = {
    eventId: event.eventId,
    targetEventId: event.data.targetEventId,
    verifiedValueHash: event.data.verifiedValueHash,
    globalPosition: event.globalPosition,
    recordedAt: event.recordedAt,
  };
  return { status: 'verifying', verifications: [...(state.status === 'none' ? [] : state.verifications), fact] };
};

export interface SourceVerificationDecisionInput {
  readonly verification: SourceVerificationState;
  readonly subject: SubjectState;
  readonly study: StudyState;
}

/**
 * `VerifySource` (monitor): the entry as it stands now was checked against the source document. A
 * verification still in force — same entry, same value (no correction since) — makes a repeat a no-op;
 * after a correction the entry needs verifying again ("SDV revoked by correction" is derived, never
 * written), and a voided entry or one the system derived (a detected deviation) cannot be verified.
 */
export const decideSourceVerification = (
  command: Extract<MonitoringCommand, { type: 'VerifySource' }>,
  { verification, subject, study }: SourceVerificationDecisionInput,
  metadata: CommandMetadata,
): RecordSourceVerified[] => {
  requireMonitoringRole(command.type, metadata.actor);
  requireOpenStudy(study, command.studyId);
  requireSubjectId(command.subjectId);
  const p = requirePayload(command.payload, ['targetEventId']);
  requireScreened(subject.facts, command.subjectId);
  const entry = targetEntryOf(subject, command.subjectId, p.targetEventId);
  if (SYSTEM_DERIVED_ENTRY_TYPES.has(entry.recorded.type)) {
    refuse('SDV.NOT_SOURCE_DATA', `Entry ${entry.eventId} (${entry.recorded.type}) was derived by the system, not recorded from a source document: verify the entry it was derived from`, {
      targetEventId: entry.eventId,
      targetType: entry.recorded.type,
    });
  }
  // ICH E6 source data verification is an independent check: whoever recorded the entry, or corrected it
  // (a coordinator whose role became monitor), does not verify it.
  if (entry.actor.userId === metadata.actor.userId || entry.corrections.some((c) => c.actor.userId === metadata.actor.userId)) {
    refuse('SDV.OWN_ENTRY', `Entry ${entry.eventId} was recorded or corrected by ${metadata.actor.username}: source data are verified by someone who did not enter them`, {
      targetEventId: entry.eventId,
    });
  }
  const verifiedValueHash = valueHash(valueAt(entry, null));
  const latest = verification.status === 'none' ? undefined : verification.verifications.filter((v) => v.targetEventId === entry.eventId).at(-1);
  // By log position, not recordedAt: a correction A → B → A in the verification's millisecond still revokes it.
  const changedSince = latest !== undefined && entry.corrections.some((c) => c.globalPosition > latest.globalPosition);
  if (latest && latest.verifiedValueHash === verifiedValueHash && !changedSince) return [];
  return [{ type: 'RecordSourceVerified', data: { studyId: command.studyId, subjectId: command.subjectId, targetEventId: entry.eventId, targetType: entry.recorded.type, verifiedValueHash } }];
};
