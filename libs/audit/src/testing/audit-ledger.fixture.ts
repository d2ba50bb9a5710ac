import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { loadDefaultProtocol, type Actor } from '@trial-ledger/domain';
import type { EventStore, NewEvent, StoredEvent } from '@trial-ledger/event-store';

/**
 * Test data for the auditor tooling, appended straight into a store (no deciders involved), so these
 * tests depend only on the event envelope and the event type names: a registered study, users with
 * full names, two subjects with screening, enrollment, doses, a tumour assessment, a correction with
 * its reason, a void, and an investigator's casebook signature.
 */
export const STUDY_ID = 'LANR-HGNET-01';

export const USERS = {
  admin: { userId: 'u-admin', username: 'aadmin', fullName: 'Ada Admin', role: 'admin' },
  coordinator: { userId: 'u-coord', username: 'ccoord', fullName: 'Chloé Coordinator', role: 'coordinator' },
  investigator: { userId: 'u-inv', username: 'iinv', fullName: 'Dr Ivan Investigator', role: 'investigator' },
  monitor: { userId: 'u-mon', username: 'mmon', fullName: 'Mona Monitor', role: 'monitor' },
} as const satisfies Record<string, Actor>;

export const subjectStream = (subjectId: string): string => `subject-${STUDY_ID}-${subjectId}`;

const event = (type: string, data: Record<string, unknown>, actor: Actor, reason: string | null = null): NewEvent => ({
  eventId: uuidv7(),
  type,
  schemaVersion: 1,
  data,
  metadata: { actor, reason, correlationId: uuidv7(), causationId: null, idempotencyKey: null, source: 'api', protocolVersion: 1 },
});

/** Appends one event to a stream at its current version. */
export const appendOne = async (store: EventStore, streamId: string, type: string, data: Record<string, unknown>, actor: Actor, reason: string | null = null): Promise<StoredEvent> => {
  const version = await store.streamVersion(streamId);
  const result = await store.append({ writes: [{ streamId, expectedVersion: version, events: [event(type, data, actor, reason)] }] });
  return result.events[0];
};

export interface SeededLedger {
  readonly doseToCorrect: StoredEvent;
  readonly correction: StoredEvent;
  readonly voidedDose: StoredEvent;
  readonly voidEvent: StoredEvent;
  readonly signature: StoredEvent;
  readonly assessment: StoredEvent;
}


const signedHash = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A small but complete study (about 30 events). */
export const seedAuditLedger = async (store: EventStore, options: { identity?: boolean; study?: boolean } = {}): Promise<SeededLedger> => {
  const { admin, coordinator, investigator } = USERS;
  // Skipped where a real identity service owns the `identity` stream (API tests).
  if (options.identity !== false) {
    for (const user of Object.values(USERS)) {
      await appendOne(store, 'identity', 'UserCreated', { ...user, passwordHash: '$scrypt$ln=15,r=8,p=1$c2FsdA$SECRETHASHVALUE', createdAt: '2026-01-01T00:00:00.000Z', bootstrap: user.role === 'admin' }, admin);
    }
    await appendOne(store, 'identity', 'LoginSucceeded', { userId: investigator.userId, username: investigator.username, purpose: 'login', sessionId: 's-1', ip: '10.0.0.7', at: '2026-01-02T08:00:00.000Z' }, investigator);
  }
  if (options.study !== false) await appendOne(store, `study-${STUDY_ID}`, 'StudyRegistered', { studyId: STUDY_ID, protocol: loadDefaultProtocol() }, admin);
  for (const [subjectId, number] of [['S001', 1], ['S002', 2]] as const) {
    const stream = subjectStream(subjectId);
    await appendOne(store, stream, 'SubjectScreened', { studyId: STUDY_ID, subjectId, screeningDate: '2026-01-05', consentDate: '2026-01-04', sex: 'F', birthYear: 1961 }, coordinator);
    await appendOne(store, stream, 'EligibilityConfirmed', { assessmentDate: '2026-01-06', age: 64, primarySite: 'rectum', whoGrade: 2, ki67Percent: 4.5, diseaseStatus: 'metastatic', measurableDisease: true, priorSystemicTherapy: false, ecog: 1 }, investigator);
    await appendOne(store, stream, 'SubjectEnrolled', { subjectNumber: number, enrollmentDate: '2026-01-07' }, investigator);
    await appendOne(store, `study-${STUDY_ID}`, 'SubjectAddedToRoster', { subjectId, subjectNumber: number, enrollmentDate: '2026-01-07' }, investigator);
  }
  const s1 = subjectStream('S001');
  const assessment = await appendOne(store, s1, 'TumorAssessmentRecorded', {
    assessmentDate: '2026-01-02', modality: 'CT', baseline: true,
    targetLesions: [{ lesionId: 'T1', organ: 'liver', diameterMm: 32, nodal: false }, { lesionId: 'T2', organ: 'lymph node', diameterMm: null, nodal: true }],
    nonTargetStatus: 'present', newLesions: false, sumOfDiametersMm: 32, targetResponse: null, overallResponse: null,
  }, investigator);
  // The windows the protocol derives (cycle 1 from enrollment, cycle 2 from cycle 1), as RecordDose stores them.
  const window = { dueOn: '2026-01-07', from: '2026-01-07', to: '2026-01-14' };
  const doseToCorrect = await appendOne(store, s1, 'DoseAdministered', { cycle: 1, administeredOn: '2026-01-08', doseMg: 12, route: 'deep-sc', lotNumber: 'L-2291', injectionSite: 'left buttock', window }, coordinator);
  const voidedDose = await appendOne(store, s1, 'DoseAdministered', { cycle: 2, administeredOn: '2026-02-05', doseMg: 120, route: 'deep-sc', lotNumber: 'L-2291', injectionSite: 'right buttock', window: { dueOn: '2026-02-05', from: '2026-02-02', to: '2026-02-08' } }, coordinator);
  const correction = await appendOne(store, s1, 'EntryCorrected', {
    targetEventId: doseToCorrect.eventId, targetType: 'DoseAdministered', before: { doseMg: 12 }, after: { doseMg: 120 }, reason: 'Transcription error: 120 mg per pharmacy log',
  }, coordinator, 'Transcription error: 120 mg per pharmacy log');
  const voidEvent = await appendOne(store, s1, 'EntryVoided', { targetEventId: voidedDose.eventId, targetType: 'DoseAdministered', reason: 'Entered for the wrong subject' }, coordinator, 'Entered for the wrong subject');
  await appendOne(store, subjectStream('S002'), 'AdverseEventReported', { term: 'Diarrhoea', onsetDate: '2026-01-20', ctcaeGrade: 2, serious: false, relatedness: 'possibly related' }, investigator);
  const through = await store.streamVersion(s1);
  const signature = await appendOne(store, s1, 'CasebookSigned', {
    studyId: STUDY_ID, subjectId: 'S001', signerUserId: investigator.userId, signerUsername: investigator.username, signerFullName: investigator.fullName,
    signedAt: '2026-03-01T10:00:00.000Z', meaning: 'approval', signedThroughVersion: through, signedEventHash: 'e'.repeat(64), signedHash: signedHash('S001'), hashAlgorithm: 'SHA-256',
  }, investigator);
  return { doseToCorrect, correction, voidedDose, voidEvent, signature, assessment };
};

/** `count` filler events spread over `streams` subject streams (for size and memory tests). */
export const appendBulk = async (store: EventStore, count: number, streams = 28, batch = 500): Promise<void> => {
  const versions = new Map<string, number>();
  for (let written = 0; written < count; ) {
    const n = Math.min(batch, count - written);
    const byStream = new Map<string, NewEvent[]>();
    for (let i = 0; i < n; i += 1) {
      const subjectId = `B${String(((written + i) % streams) + 1).padStart(3, '0')}`;
      const streamId = subjectStream(subjectId);
      const list = byStream.get(streamId) ?? [];
      list.push(event('AdverseEventReported', { term: `Fatigue ${written + i}`, onsetDate: '2026-02-01', ctcaeGrade: 1, serious: false, relatedness: 'unlikely' }, USERS.investigator));
      byStream.set(streamId, list);
    }
    const writes = [...byStream.entries()].map(([streamId, events]) => {
      return { streamId, events };
    });
    const withVersions = [];
    for (const write of writes) {
      const expected = versions.get(write.streamId) ?? (await store.streamVersion(write.streamId));
      versions.set(write.streamId, expected + write.events.length);
      withVersions.push({ ...write, expectedVersion: expected });
    }
    await store.append({ writes: withVersions });
    written += n;
  }
};
