import fc from 'fast-check';
import type { StudyEvent } from '../events/event.types';
import { loadDefaultProtocol } from '../protocol/protocol.validate';
import { STUDY_ID } from '../subject/testing/subject.fixtures';
import { evolveStudy, evolveStudyMany, foldStudy } from './study.decider';
import { initialStudyState } from './study.state';

/**
 * `evolveStudyMany` gathers roster lines and copies the roster once per run of them; it must give the
 * very state that folding the same events one by one with `evolveStudy` gives, whatever the order:
 * lines before registration, amendments, locks and unlocks and roster corrections between them, from any state folded so far.
 */
const protocol = loadDefaultProtocol();
const event = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 999 }).map((n): StudyEvent => ({ type: 'SubjectAddedToRoster', data: { subjectId: `S${n}`, subjectNumber: n, enrollmentDate: '2026-01-05' } })) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 999 }).map((n): StudyEvent => ({ type: 'RosterEnrollmentDateCorrected', data: { subjectId: `S${n}`, subjectNumber: n, enrollmentDate: '2026-01-06' } })) },
  { weight: 1, arbitrary: fc.constant<StudyEvent>({ type: 'StudyRegistered', data: { studyId: STUDY_ID, protocol } }) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 9 }).map((version): StudyEvent => ({ type: 'ProtocolAmended', data: { studyId: STUDY_ID, version, reason: `amendment ${version}`, protocol: { ...protocol, version } } })) },
  { weight: 1, arbitrary: fc.constant<StudyEvent>({ type: 'StudyLocked', data: { studyId: STUDY_ID, reason: 'interim analysis' } }) },
  { weight: 1, arbitrary: fc.constant<StudyEvent>({ type: 'StudyUnlocked', data: { studyId: STUDY_ID, reason: 'query resolution' } }) },
);

describe('folding a study stream many events at once', () => {
  it('gives the state of folding them one by one, from any state folded so far', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), fc.array(event, { maxLength: 40 }), (before, after) => {
        const start = before.reduce(evolveStudy, initialStudyState());
        expect(evolveStudyMany(start, after)).toEqual(after.reduce(evolveStudy, start));
        expect(foldStudy([...before, ...after])).toEqual([...before, ...after].reduce(evolveStudy, initialStudyState()));
      }),
      { numRuns: 500 },
    );
  });

  it('leaves the state it starts from as it was, and returns it as is when nothing changes', () => {
    const registered = evolveStudy(initialStudyState(), { type: 'StudyRegistered', data: { studyId: STUDY_ID, protocol } });
    const frozen = Object.freeze({ ...registered, roster: Object.freeze([...(registered.status === 'unregistered' ? [] : registered.roster)]) });
    const next = evolveStudyMany(frozen, [{ type: 'SubjectAddedToRoster', data: { subjectId: 'S1', subjectNumber: 1, enrollmentDate: '2026-01-05' } }]);
    expect(next.status !== 'unregistered' && next.roster.map((line) => line.subjectId)).toEqual(['S1']);
    expect(frozen.roster).toEqual([]);
    expect(evolveStudyMany(frozen, [])).toBe(frozen);
  });
});
