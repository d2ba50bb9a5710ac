import { currentSchemaVersion, foldStudy, type StudyEvent } from '@trial-ledger/domain';
import type { StoredEvent } from '@trial-ledger/event-store';
import { toRecorded } from '../to-recorded';
import { foldStudyStream, keptFold } from './stream-fold';

const STREAM = 'study-FOLD-01';

const stored = (streamVersion: number, type: string, data: Record<string, unknown>): StoredEvent =>
  Object.freeze({
    eventId: `e${streamVersion}`,
    type,
    schemaVersion: currentSchemaVersion(type),
    streamId: STREAM,
    streamVersion,
    globalPosition: streamVersion,
    data,
    metadata: { recordedAt: '2026-01-01T00:00:00.000Z', actor: { userId: 'u', username: 'u', fullName: 'U', role: 'admin' }, idempotencyKey: null },
    prevHash: '',
    hash: '',
  } as unknown as StoredEvent);

const registered = stored(1, 'StudyRegistered', { studyId: 'FOLD-01', protocol: { version: 1, targetEnrollment: 10 } });
const rostered = (version: number, subjectId: string): StoredEvent =>
  stored(version, 'SubjectAddedToRoster', { subjectId, subjectNumber: version - 1, enrollmentDate: '2026-01-02' });
const wholeFold = (events: readonly StoredEvent[]) => foldStudy(events.map((e) => toRecorded(e) as unknown as StudyEvent));

describe('foldStudyStream (keptFold): the study state, folding only what was appended since the last fold', () => {
  it('given a stream that grew (the same event objects plus new ones), then the state equals folding the whole stream', () => {
    const first = [registered, rostered(2, 'S1')];
    expect(foldStudyStream(first)).toEqual(wholeFold(first));
    const grown = [...first, rostered(3, 'S2'), stored(4, 'StudyLocked', { studyId: 'FOLD-01', reason: 'interim' })];
    const state = foldStudyStream(grown);
    expect(state).toEqual(wholeFold(grown));
    expect(state).toMatchObject({ status: 'locked', roster: [{ subjectId: 'S1' }, { subjectId: 'S2' }] });
    expect(foldStudyStream(grown)).toBe(state);
  });

  it('given the stream read again as other objects with other content (the file changed behind the cache), then it is folded whole', () => {
    const first = [registered, rostered(2, 'S1'), rostered(3, 'S2')];
    foldStudyStream(first);
    const reread = [stored(1, 'StudyRegistered', { studyId: 'FOLD-01', protocol: { version: 2, targetEnrollment: 5 } }), rostered(2, 'X1'), rostered(3, 'X2')];
    const state = foldStudyStream(reread);
    expect(state).toEqual(wholeFold(reread));
    expect(state).toMatchObject({ protocol: { version: 2 }, roster: [{ subjectId: 'X1' }, { subjectId: 'X2' }] });
  });

  it('given a shorter stream than the one last folded (another store, or a stream cut), then it is folded whole', () => {
    foldStudyStream([registered, rostered(2, 'S1'), rostered(3, 'S2')]);
    expect(foldStudyStream([registered])).toEqual(wholeFold([registered]));
    expect(foldStudyStream([])).toEqual(wholeFold([]));
  });
});

describe('keptFold', () => {
  const counting = () => {
    const folded: number[] = [];
    const fold = keptFold<readonly number[], number>((state, n) => (folded.push(n), [...state, n]), () => [], (e) => e.streamVersion, 2);
    return { fold, folded };
  };

  it('folds each event once while the stream only grows, and freezes the state it keeps', () => {
    const { fold, folded } = counting();
    const events = [registered, rostered(2, 'S1')];
    expect(fold(events)).toEqual([1, 2]);
    const grown = [...events, rostered(3, 'S2')];
    const state = fold(grown);
    expect(state).toEqual([1, 2, 3]);
    expect(folded).toEqual([1, 2, 3]);
    expect(Object.isFrozen(state)).toBe(true);
    expect(() => (state as number[]).push(4)).toThrow(TypeError);
  });

  it('keeps only the most recently folded streams (a stream evicted is folded whole next time)', () => {
    const { fold, folded } = counting();
    const other = (id: string) => [{ ...registered, streamId: id } as StoredEvent];
    fold([registered]);
    fold(other('b'));
    fold(other('c'));
    folded.length = 0;
    fold([registered]);
    expect(folded).toEqual([1]);
  });
});
