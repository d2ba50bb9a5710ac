import { pfsDiffVerdict } from './pfs-diff';
import type { PfsCause, PfsCauseKind, SubjectPfsChange } from './pfs-diff.types';

let position = 0;
const cause = (kind: PfsCauseKind, decisive: boolean): PfsCause => {
  position += 1;
  return {
    kind,
    eventId: `e${position}`,
    eventType: kind === 'protocol-amendment' ? 'ProtocolAmended' : 'TumorAssessmentRecorded',
    position,
    recordedAt: '2026-12-01T10:00:00.000Z',
    user: { userId: 'u', username: 'ivy', fullName: 'Ivy', role: 'investigator' },
    reason: null,
    clinicalDate: null,
    target: null,
    before: null,
    after: null,
    decisive,
  };
};
const changed = (subjectId: string, causes: PfsCause[]): SubjectPfsChange => ({
  subjectId,
  subjectNumber: null,
  change: 'changed',
  changedFields: ['AVAL', 'ADT'],
  before: null,
  after: null,
  causes,
});

describe('the pfs diff verdict: which kind of recorded fact moved each subject', () => {
  it('given a subject moved only by a protocol amendment, then the amendment is counted', () => {
    expect(pfsDiffVerdict([changed('S001', [])], [cause('protocol-amendment', false)])).toBe('1 subject changed: 1 protocol amendment.');
  });

  it('given a subject whose only events between the sides do not touch what its row rests on, and an amendment between them, then the amendment moved it, not those events', () => {
    const subjects = [changed('S001', [cause('late-entry', false)]), changed('S002', [cause('late-entry', false), cause('late-entry', false)])];
    expect(pfsDiffVerdict(subjects, [cause('protocol-amendment', false)])).toBe('2 subjects changed: 2 protocol amendments.');
  });

  it('given an amendment that changes no rule a row is derived by (only, say, the review thresholds), then the subject\'s own events are counted', () => {
    expect(pfsDiffVerdict([changed('S001', [cause('late-entry', false)])], [cause('protocol-amendment', false)], false)).toBe('1 subject changed: 1 late entry.');
  });

  it('given a decisive cause beside an amendment, then the decisive cause is counted', () => {
    expect(pfsDiffVerdict([changed('S001', [cause('correction', true), cause('late-entry', false)])], [cause('protocol-amendment', false)])).toBe('1 subject changed: 1 correction.');
  });

  it('given no amendment and no decisive cause, then every cause of the subject is counted, as before', () => {
    expect(pfsDiffVerdict([changed('S001', [cause('late-entry', false)])], [])).toBe('1 subject changed: 1 late entry.');
  });
});
