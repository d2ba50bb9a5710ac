import type { SubjectEvent } from '../events/event.types';
import { currentEntriesOf, currentSubjectEvents, foldSubject } from './subject.decider';
import { enrolledHistory, History, screenedHistory } from './testing/decider-spec';
import { dose, eligibility, meta, subjectCommand } from './testing/subject.fixtures';
import type { RecordedSubjectEvent } from './subject.state';

const subjectEventsOf = (h: History): RecordedSubjectEvent[] => h.all().filter((e): e is RecordedSubjectEvent => 'eventId' in e);

describe('subject evolve and the current view of the casebook', () => {
  it('given an enrolled subject, when a casebook signature is folded, then no clinical fact changes and the version advances', () => {
    const h = enrolledHistory();
    const before = foldSubject(subjectEventsOf(h));
    const signature = {
      studyId: 'LANR-HGNET-01', subjectId: 'S001', signerUserId: 'u-investigator', signerUsername: 'investigator', signerFullName: 'Investigator Tester',
      signedAt: '2026-06-01T10:00:00.000Z', meaning: 'approval', signedThroughVersion: before.version, signedEventHash: 'a'.repeat(64), signedHash: 'b'.repeat(64), hashAlgorithm: 'SHA-256',
    };
    h.subject([{ type: 'CasebookSigned', data: signature } as SubjectEvent]);
    const after = foldSubject(subjectEventsOf(h));
    expect(after.status).toBe('enrolled');
    expect(after.facts).toEqual(before.facts);
    expect(after.entries).toHaveLength(before.entries.length);
    expect(after.version).toBe(before.version + 1);
  });

  it('given a screen failure corrected into a pass, when the current events are read, then the entry is an EligibilityConfirmed without failedCriteria', () => {
    const h = screenedHistory().run(subjectCommand('AssessEligibility', eligibility({ age: 17 })));
    h.run(subjectCommand('CorrectEntry', { targetEventId: h.idOf('SubjectScreenFailed'), changes: { age: 71 }, reason: 'age mistyped' }));
    const events = currentSubjectEvents(foldSubject(subjectEventsOf(h)));
    expect(events.map((e) => e.type)).toEqual(['SubjectScreened', 'EligibilityConfirmed']);
    expect(events[1].data).toEqual(eligibility({ age: 71 }));
  });

  it('given a voided dose and a corrected dose, when the current entries are read, then the voided one is left out and the corrected one shows its latest value', () => {
    const h = enrolledHistory()
      .run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta())
      .run(subjectCommand('RecordDose', dose(2, '2026-02-03')), meta());
    h.run(subjectCommand('VoidEntry', { targetEventId: h.idOf('DoseAdministered', 2), reason: 'duplicate' }));
    h.run(subjectCommand('CorrectEntry', { targetEventId: h.idOf('DoseAdministered', 1), changes: { lotNumber: 'LOT-7' }, reason: 'label misread' }));
    const doses = currentEntriesOf(subjectEventsOf(h)).filter((e) => e.current.type === 'DoseAdministered');
    expect(doses.map((e) => [e.eventId, (e.current.data as { lotNumber: string }).lotNumber, e.corrections.length])).toEqual([[h.idOf('DoseAdministered', 1), 'LOT-7', 1]]);
    expect(foldSubject(subjectEventsOf(h)).entries.find((e) => e.eventId === h.idOf('DoseAdministered', 2))?.voided?.reason).toBe('duplicate');
  });
});
