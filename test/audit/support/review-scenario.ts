import { join } from 'node:path';
import { createCheckpoint, ensureLedgerKey, type SignedCheckpoint } from '@trial-ledger/audit';
import { executeCommand, type Command } from '@trial-ledger/command-pipeline';
import { loadDefaultProtocol, subjectStreamId, type Actor, type ReviewPolicy } from '@trial-ledger/domain';
import type { EventStore, FixedClock, StoredEvent } from '@trial-ledger/event-store';
import { Identity } from '@trial-ledger/identity';
import type { KeyObject } from 'node:crypto';
import { baselineAssessment, dose, eligibility, followUp, screening, subjectCommand } from '../../../libs/domain/src/subject/testing/subject.fixtures';
import { FAST_SCRYPT, RecordingLogger, addReadyUser } from '../../../libs/identity/src/testing';

export const STUDY_ID = 'LANR-HGNET-01';
const PASSWORD = { ada: 'correct horse battery staple', ivan: 'investigator passphrase 1', cora: 'coordinator passphrase 1', mona: 'monitor passphrase 0001' };

/** Thresholds tuned to this small study, so that each trigger below fires its indicator once. */
export const REVIEW_POLICY: ReviewPolicy = {
  entryLagDays: 30,
  siteHours: { timeZone: 'UTC', start: '07:00', end: '20:00', weekends: false },
  burst: { writes: 8, minutes: 10 },
  correctionRatePercent: 50,
  voidRatePercent: 8,
  minEntriesForRate: 5,
  dominantSharePercent: 60,
  minChangesForShare: 3,
  minReasonLength: 10,
  repeatedReasonCount: 3,
  failedLogins: 3,
  accessWindowMinutes: 60,
};

/** The analysis that read the ledger on 13 April 2026 at noon, of data up to 12 April. */
export const DATA_CUT = { cutoff: '2026-04-12', analysedAt: '2026-04-13T12:00:00.000Z' };

export interface ReviewScenario {
  readonly actors: Readonly<Record<'ada' | 'ivan' | 'cora', Actor>>;
  readonly identity: Identity;
  /** A signed checkpoint of the clean study's head, and the key that verifies it. */
  readonly checkpoints: SignedCheckpoint[];
  readonly publicKey: KeyObject;
  /** The event behind each indicator's trigger (noisy ledger only). */
  readonly triggers: Partial<Record<string, StoredEvent[]>>;
}

/**
 * A two-subject study run through the command pipeline and the identity service with a fixed clock,
 * every entry made on the day of its clinical date in site hours; the casebook of S001 is signed and
 * the head checkpointed. `noisy` then adds one trigger per review indicator.
 */
export const buildReviewScenario = async (store: EventStore, clock: FixedClock, dir: string, noisy: boolean): Promise<ReviewScenario> => {
  const at = (instant: string) => clock.set(instant);
  clock.set('2026-01-05T08:00:00.000Z');
  // Passwords last the study's four months here, so that a signature in April needs no password change of its own.
  const identity = new Identity(store, clock, { scrypt: FAST_SCRYPT, passwordMaxAgeDays: 365 }, { logger: new RecordingLogger() });
  await identity.users.createFirstAdmin({ username: 'ada', fullName: 'Ada Admin', password: PASSWORD.ada }, 'cli');
  const ada = await identity.auth.verifyPassword('ada', PASSWORD.ada, 'cli');
  await addReadyUser(identity, ada, { username: 'ivan', fullName: 'Dr Ivan Investigator', role: 'investigator', password: PASSWORD.ivan }, 'cli');
  await addReadyUser(identity, ada, { username: 'cora', fullName: 'Cora Coordinator', role: 'coordinator', password: PASSWORD.cora }, 'cli');
  const ivan = await identity.auth.verifyPassword('ivan', PASSWORD.ivan, 'cli');
  const cora = await identity.auth.verifyPassword('cora', PASSWORD.cora, 'cli');
  const run = async (command: Command, actor: Actor, stepMs = 120_000): Promise<StoredEvent> => {
    clock.advance(stepMs);
    return (await executeCommand(store, command, { actor, source: 'api' }, { clock })).events[0];
  };
  await run({ type: 'RegisterStudy', studyId: STUDY_ID, payload: { protocol: { ...loadDefaultProtocol(), review: REVIEW_POLICY } } }, ada);
  const entries: Record<string, StoredEvent> = {};
  for (const id of ['S001', 'S002']) {
    await run(subjectCommand('ScreenSubject', screening({ screeningDate: '2026-01-05', consentDate: '2026-01-05' }), id), cora);
    await run(subjectCommand('AssessEligibility', eligibility({ assessmentDate: '2026-01-05' }), id), ivan);
    await run(subjectCommand('RecordTumorAssessment', baselineAssessment({ assessmentDate: '2026-01-05' }), id), ivan);
    await run(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-05' }, id), ivan);
  }
  at('2026-01-06T10:00:00.000Z');
  for (const id of ['S001', 'S002']) entries[`dose-${id}`] = await run(subjectCommand('RecordDose', dose(1, '2026-01-06'), id), cora);
  at('2026-03-30T10:00:00.000Z');
  for (const id of ['S001', 'S002']) entries[`scan-${id}`] = await run(subjectCommand('RecordTumorAssessment', followUp('2026-03-30', 30, 20), id), ivan);
  clock.advance(600_000);
  await identity.signatures.sign(ivan, { username: 'ivan', password: PASSWORD.ivan, meaning: 'approval', studyId: STUDY_ID, subjectId: 'S001', scope: 'casebook', expectedVersion: await store.streamVersion(subjectStreamId(STUDY_ID, 'S001')) });
  const key = ensureLedgerKey(join(dir, 'ledger.key.pem'));
  const checkpoints = [await createCheckpoint(store, key, join(dir, 'ledger.checkpoints.jsonl'), clock)];
  const scenario = { actors: { ada, ivan, cora }, identity, checkpoints, publicKey: key.publicKey };
  if (!noisy) return { ...scenario, triggers: {} };

  const t: Record<string, StoredEvent[]> = {};
  at('2026-04-06T10:00:00.000Z');
  const lateAe = await run(subjectCommand('ReportAdverseEvent', { term: 'fatigue', onsetDate: '2026-02-02', ctcaeGrade: 1, serious: false, relatedness: 'unlikely' }, 'S002'), ivan);
  t['entry-lag'] = [lateAe];
  const twice = await run(subjectCommand('ReportAdverseEvent', { term: 'fatigue (entered twice)', onsetDate: '2026-04-06', ctcaeGrade: 1, serious: false, relatedness: 'unlikely' }, 'S002'), ivan);
  t['back-dating'] = [
    await run(subjectCommand('CorrectEntry', { targetEventId: entries['dose-S002'].eventId, changes: { administeredOn: '2026-01-05' }, reason: 'injection date per source document: 5 January' }, 'S002'), cora),
  ];
  // A later scan of S001, recorded after the casebook signature and signed on its own: its RECIST response
  // derives from the earlier scans, so the re-read below supersedes that signature through derivation.
  const laterScan = await run(subjectCommand('RecordTumorAssessment', followUp('2026-04-06', 30, 20), 'S001'), ivan);
  clock.advance(60_000);
  const laterScanSigned = await identity.signatures.sign(ivan, { username: 'ivan', password: PASSWORD.ivan, meaning: 'authorship', studyId: STUDY_ID, subjectId: 'S001', scope: { eventId: laterScan.eventId }, expectedVersion: await store.streamVersion(subjectStreamId(STUDY_ID, 'S001')) });
  const reread = await run(
    subjectCommand('CorrectEntry', {
      targetEventId: entries['scan-S001'].eventId,
      changes: { targetLesions: [{ lesionId: 'L1', organ: 'liver', diameterMm: 40, nodal: false }, { lesionId: 'L2', organ: 'liver', diameterMm: 22, nodal: false }] },
      reason: 'central radiology re-read of the week-12 CT',
    }, 'S001'),
    ivan,
  );
  t['change-after-sign-off'] = [reread];
  t['critical-data-edit'] = [reread];
  t['derived-change-after-sign-off'] = [reread, ...(await store.readStream(subjectStreamId(STUDY_ID, 'S001'))).filter((e) => e.eventId === laterScanSigned.signatureEventId)];
  const typo = await run(subjectCommand('VoidEntry', { targetEventId: twice.eventId, reason: 'typo' }, 'S002'), cora);
  t['reason-quality'] = [typo];
  t['correction-rate'] = [typo];
  t['change-concentration'] = [t['back-dating'][0], typo];
  at('2026-04-07T10:00:00.000Z');
  t.burst = [];
  for (let i = 1; i <= 9; i += 1) {
    t.burst.push(await run(subjectCommand('ReportAdverseEvent', { term: `injection-site reaction ${i}`, onsetDate: '2026-04-06', ctcaeGrade: 1, serious: false, relatedness: 'related' }, 'S001'), cora, 10_000));
  }
  at('2026-04-11T10:00:00.000Z'); // a Saturday
  t['off-hours'] = [await run(subjectCommand('RecordDeviation', { deviationDate: '2026-04-10', category: 'visit window', description: 'blood draw missed at the week-14 visit', severity: 'minor' }, 'S002'), ivan)];
  at('2026-04-13T09:00:00.000Z');
  t.access = [];
  for (let i = 0; i < 3; i += 1) {
    clock.advance(60_000);
    await identity.auth.login('cora', 'not the right passphrase', { source: 'api', ip: '10.0.0.9' }).catch(() => undefined);
  }
  at('2026-04-13T10:00:00.000Z');
  await run({ type: 'LockStudy', studyId: STUDY_ID, payload: { reason: 'interim analysis database lock' } }, ada);
  const unlock = await run({ type: 'UnlockStudy', studyId: STUDY_ID, payload: { reason: 'query resolution after the lock' } }, ada);
  const afterUnlock = await run(subjectCommand('ReportAdverseEvent', { term: 'nausea', onsetDate: '2026-04-13', ctcaeGrade: 1, serious: false, relatedness: 'unlikely' }, 'S002'), cora);
  t['change-after-lock'] = [unlock, afterUnlock];
  at('2026-04-14T10:00:00.000Z');
  t['change-after-data-cut'] = [await run(subjectCommand('RecordDeviation', { deviationDate: '2026-04-10', category: 'procedure', description: 'ECG not performed at the week-14 visit', severity: 'minor' }, 'S002'), ivan)];
  return { ...scenario, triggers: t };
};
