import { executeCommand, type Command, type CommandEnvelope } from '@trial-ledger/command-pipeline';
import type { Actor } from '@trial-ledger/domain';
import type { EventStore, FixedClock, StoredEvent } from '@trial-ledger/event-store';
import {
  ADMIN,
  baselineAssessment,
  COORDINATOR,
  eligibility,
  ENROLLMENT_DATE,
  followUp,
  INVESTIGATOR,
  registerStudy,
  screening,
  subjectCommand,
} from '../../../libs/domain/src/subject/testing/subject.fixtures';

/** The instant of the interim analysis: everything below was recorded on or before it, the rest after. */
export const INTERIM_AT = '2026-12-01T12:00:00.000Z';
export const FINAL_AT = '2026-12-20T12:00:00.000Z';
/** Study day n of a subject enrolled on ENROLLMENT_DATE (2026-01-05). */
export const DAY = { 85: '2026-03-30', 169: '2026-06-22', 200: '2026-07-23', 335: '2026-12-05' } as const;

export interface PfsDiffLedger {
  /** The recording instant between the interim state and the four later facts. */
  readonly interimAt: string;
  /** S001: a progression (day 169) entered late, after the interim. */
  readonly lateProgression: StoredEvent;
  /** S002: the day-85 scan, PD as entered, corrected to SD after the interim. */
  readonly correctedScan: StoredEvent;
  readonly correction: StoredEvent;
  /** S003: the day-85 PD scan, voided after the interim. */
  readonly voidedScan: StoredEvent;
  readonly voidEvent: StoredEvent;
  /** S004: death on day 335 (after the interim), recorded after it. */
  readonly death: StoredEvent;
}

/**
 * A study of five subjects run through the command pipeline with a fixed clock: the interim state on
 * 1 December 2026, then four recorded facts that each move one subject's PFS row (S005 never moves).
 * `compressed` records everything from the clock's current instant one second apart (for an API app
 * whose sessions must stay alive); the death is then dated day 200, before the interim.
 */
export const buildPfsDiffLedger = async (store: EventStore, clock: FixedClock, timeline: 'calendar' | 'compressed' = 'calendar'): Promise<PfsDiffLedger> => {
  const calendar = timeline === 'calendar';
  const at = (instant: string): void => {
    if (calendar) clock.set(instant);
  };
  const run = async (command: Command, actor: Actor = INVESTIGATOR, extra: Partial<CommandEnvelope> = {}): Promise<StoredEvent> => {
    clock.advance(calendar ? 60_000 : 1_000);
    return (await executeCommand(store, command, { actor, source: 'api', ...extra }, { clock })).events[0];
  };
  at('2026-01-05T08:00:00.000Z');
  await run(registerStudy(), ADMIN);
  const scans: Record<string, StoredEvent> = {};
  for (const id of ['S001', 'S002', 'S003', 'S004', 'S005']) {
    await run(subjectCommand('ScreenSubject', screening(), id), COORDINATOR);
    await run(subjectCommand('AssessEligibility', eligibility(), id));
    await run(subjectCommand('RecordTumorAssessment', baselineAssessment(), id));
    await run(subjectCommand('EnrollSubject', { enrollmentDate: ENROLLMENT_DATE }, id));
  }
  at('2026-04-01T09:00:00.000Z');
  await run(subjectCommand('RecordTumorAssessment', followUp(DAY[85], 30, 20), 'S001'));
  scans.S002 = await run(subjectCommand('RecordTumorAssessment', followUp(DAY[85], 40, 22), 'S002'));
  scans.S003 = await run(subjectCommand('RecordTumorAssessment', followUp(DAY[85], 40, 22), 'S003'));
  await run(subjectCommand('RecordTumorAssessment', followUp(DAY[85], 28, 20), 'S004'));
  await run(subjectCommand('RecordTumorAssessment', followUp(DAY[85], 29, 20), 'S005'));
  at('2026-06-25T09:00:00.000Z');
  for (const id of ['S004', 'S005']) await run(subjectCommand('RecordTumorAssessment', followUp(DAY[169], 29, 20), id));
  const interimAt = calendar ? INTERIM_AT : clock.now();
  at('2026-12-08T10:00:00.000Z');
  const lateProgression = await run(subjectCommand('RecordTumorAssessment', followUp(DAY[169], 40, 22), 'S001'));
  const correction = await run(
    subjectCommand('CorrectEntry', {
      targetEventId: scans.S002.eventId,
      changes: { targetLesions: [{ lesionId: 'L1', organ: 'liver', diameterMm: 31, nodal: false }, { lesionId: 'L2', organ: 'liver', diameterMm: 20, nodal: false }] },
      reason: 'central radiology re-read: L1 measured 31 mm',
    }, 'S002'),
  );
  const voidEvent = await run(subjectCommand('VoidEntry', { targetEventId: scans.S003.eventId, reason: 'scan of another patient filed under S003' }, 'S003'));
  const death = await run(subjectCommand('RecordDeath', { deathDate: calendar ? DAY[335] : DAY[200], cause: 'disease progression' }, 'S004'));
  return { interimAt, lateProgression, correctedScan: scans.S002, correction, voidedScan: scans.S003, voidEvent, death };
};
