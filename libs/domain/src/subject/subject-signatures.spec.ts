import type { SubjectEvent } from '../events/event.types';
import type { Recorded } from '../shared/recorded';
import { signatureStatus } from '../identity/signature';
import { foldSubject } from './subject.decider';
import { subjectSignatures } from './subject-signatures';
import type { RecordedSubjectEvent } from './subject.state';
import { enrolledHistory, History } from './testing/decider-spec';
import { dose, meta, subjectCommand } from './testing/subject.fixtures';

const subjectEventsOf = (h: History): RecordedSubjectEvent[] => h.all().filter((e): e is RecordedSubjectEvent => 'eventId' in e);

const signature = (h: History, scope: 'casebook' | { eventId: string }): SubjectEvent => {
  const through = foldSubject(subjectEventsOf(h)).version;
  const manifestation = {
    studyId: 'LANR-HGNET-01', subjectId: 'S001', signerUserId: 'u-investigator', signerUsername: 'investigator', signerFullName: 'Investigator Tester',
    signedAt: '2026-06-01T10:00:00.000Z', meaning: 'approval' as const, signedThroughVersion: through, signedEventHash: 'a'.repeat(64), signedHash: 'b'.repeat(64), hashAlgorithm: 'SHA-256' as const,
  };
  return scope === 'casebook'
    ? { type: 'CasebookSigned', data: manifestation }
    : { type: 'RecordSigned', data: { ...manifestation, meaning: 'review', targetEventId: scope.eventId, targetType: 'DoseAdministered' } };
};

describe('signatures of the folded subject state (one rule with signatureStatus over the events)', () => {
  it('given a casebook and a record signature, when entries are corrected and voided later, then the folded state judges them exactly as the events do', () => {
    const h = enrolledHistory()
      .run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta())
      .run(subjectCommand('RecordDose', dose(2, '2026-02-03')), meta());
    const dose1 = h.idOf('DoseAdministered', 1);
    const dose2 = h.idOf('DoseAdministered', 2);
    h.subject([signature(h, 'casebook')]);
    h.subject([signature(h, { eventId: dose2 })]);
    h.run(subjectCommand('CorrectEntry', { targetEventId: dose1, changes: { lotNumber: 'LOT-7' }, reason: 'label misread' }));
    const afterCorrection = subjectSignatures(foldSubject(subjectEventsOf(h)));
    expect(afterCorrection.map((s) => [s.type, s.status])).toEqual([
      ['CasebookSigned', 'superseded'],
      ['RecordSigned', 'valid'],
    ]);
    h.run(subjectCommand('VoidEntry', { targetEventId: dose2, reason: 'duplicate' }));
    const events = subjectEventsOf(h);
    const folded = subjectSignatures(foldSubject(events));
    expect(folded.map((s) => s.status)).toEqual(['superseded', 'superseded']);
    expect(folded[0].supersededBy).toHaveLength(2);
    expect(folded).toEqual(signatureStatus(events as unknown as Recorded[]));
  });

  it('given no signature, then there is none to judge', () => {
    expect(subjectSignatures(foldSubject(subjectEventsOf(enrolledHistory())))).toEqual([]);
  });
});
