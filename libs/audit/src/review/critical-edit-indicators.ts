import { studyStreamId, type ProtocolDocument } from '@trial-ledger/domain';
import type { StoredEvent } from '@trial-ledger/event-store';
import { deriveSubjectPfsFromEvents, type SubjectPfs } from '@trial-ledger/pfs';
import { toProjected } from '@trial-ledger/projections';
import { finding, subjectOf, targetOf, type ReviewLedger } from './review-ledger';
import type { ReviewFinding } from './review.types';

/**
 * The critical data of the primary endpoint (EMA 2023 §6.2.2 "critical data"): the fields of each
 * entry type that decide PFS. A correction touching one of them, or a void of such an entry, is a
 * critical-data edit.
 */
export const CRITICAL_FIELDS: ReadonlyMap<string, readonly string[]> = new Map([
  ['ClinicalProgressionRecorded', ['progressionDate']],
  ['SubjectDied', ['deathDate']],
  ['TumorAssessmentRecorded', ['assessmentDate', 'targetLesions', 'nonTargetStatus', 'newLesions', 'overallResponse', 'baseline']],
]);

const describeMove = (before: SubjectPfs | null, after: SubjectPfs | null): string => {
  if (before === null || after === null) return 'no PFS row on one side';
  const row = (r: SubjectPfs) => `${r.cnsr === 0 ? 'event' : `censored (CNSR ${r.cnsr})`} at day ${r.aval}`;
  if ((before.cnsr === 0) !== (after.cnsr === 0)) return `${before.cnsr === 0 ? 'event → censored' : 'censored → event'}: ${row(before)} → ${row(after)}`;
  if (before.aval !== after.aval) {
    const days = after.aval - before.aval;
    return `${after.cnsr === 0 ? 'event' : 'censoring'} ${days > 0 ? 'later' : 'earlier'} by ${Math.abs(days)} days (PFS ${days > 0 ? 'longer' : 'shorter'}): ${row(before)} → ${row(after)}`;
  }
  return before.cnsr !== after.cnsr ? `censoring reason ${before.cnsr} → ${after.cnsr}` : `PFS unchanged (${row(after)})`;
};

/** The subject's PFS from the study and subject streams through `position` (the same derivation as `trial-ledger pfs`). */
const pfsThrough = (ledger: ReviewLedger, protocol: ProtocolDocument, streamId: string, subjectId: string, position: number): SubjectPfs | null => {
  const events = [...(ledger.byStream.get(studyStreamId(ledger.studyId)) ?? []), ...(ledger.byStream.get(streamId) ?? [])]
    .filter((e) => e.globalPosition <= position)
    .sort((a, b) => a.globalPosition - b.globalPosition)
    .map(toProjected);
  return deriveSubjectPfsFromEvents(events, ledger.studyId, subjectId, protocol);
};

/**
 * The other facts PFS is derived from (`deriveSubjectPfs`): the start date, the censoring rule of a new
 * anticancer therapy, the censoring at withdrawal. Only changes of these and of the critical fields can
 * move a subject's PFS, so only they are re-derived (two folds of the subject's stream each).
 */
const PFS_FACTS: ReadonlySet<string> = new Set(['SubjectEnrolled', 'NewAnticancerTherapyStarted', 'SubjectWithdrawn', ...CRITICAL_FIELDS.keys()]);

/** Whether two PFS rows of one subject differ in what the analysis uses: start, ADT, the event/censoring flag. */
const pfsMoved = (before: SubjectPfs | null, after: SubjectPfs | null): boolean =>
  before === null || after === null
    ? before !== after
    : before.startDate !== after.startDate || before.adt !== after.adt || before.aval !== after.aval || before.cnsr !== after.cnsr;

/**
 * Changes to a progression date, death date, RECIST measurement or response after first entry, with the
 * way they moved the subject's PFS — and any other correction or void that moves it (an enrollment date,
 * a new anticancer therapy or a withdrawal re-dated or voided changes the start, the censoring rule or
 * the censoring date): what is critical is what decides the primary endpoint.
 */
export const criticalEditFindings = (ledger: ReviewLedger, changes: readonly StoredEvent[]): ReviewFinding[] =>
  changes.flatMap((change) => {
    const target = targetOf(ledger, change);
    const subjectId = subjectOf(ledger, change);
    if (!target || subjectId === null || !PFS_FACTS.has(target.type)) return [];
    const fields = CRITICAL_FIELDS.get(target.type) ?? [];
    const after = Object.keys((change.data.after as Record<string, unknown> | undefined) ?? {});
    const critical = change.type === 'EntryVoided' ? (fields.length > 0 ? ['(voided)'] : []) : after.filter((f) => fields.includes(f));
    const rows = ledger.protocol
      ? ([change.globalPosition - 1, change.globalPosition].map((p) => pfsThrough(ledger, ledger.protocol as ProtocolDocument, change.streamId, subjectId, p)) as [SubjectPfs | null, SubjectPfs | null])
      : null;
    const moved = rows !== null && critical.length === 0 && pfsMoved(...rows);
    if (critical.length === 0 && !moved) return [];
    const changed = critical.length > 0 ? critical : change.type === 'EntryVoided' ? ['(voided)'] : after;
    const move = rows ? describeMove(...rows) : 'no protocol to derive PFS';
    return [finding('critical-data-edit', [change, target], `${target.type} ${changed.join(', ')} changed by ${change.metadata.actor.username}: ${move}`, { subjectId, username: change.metadata.actor.username })];
  });
