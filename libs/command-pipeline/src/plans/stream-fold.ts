import {
  evolveStudy,
  evolveStudyMany,
  evolveSubject,
  initialStudyState,
  initialSubjectState,
  type RecordedSubjectEvent,
  type StudyEvent,
  type StudyState,
  type SubjectState,
} from '@trial-ledger/domain';
import { deepFreeze, type StoredEvent } from '@trial-ledger/event-store';
import { toRecorded } from '../to-recorded';

interface Fold<S> {
  /** The last event folded into `state`: the very object the store handed out. */
  readonly last: StoredEvent;
  readonly state: S;
}

/**
 * A fold of whole streams that keeps each stream's last fold and folds only the events appended since.
 * Every command reads and folds its subject stream and its study stream, and both evolve functions
 * copy the growing lists (entries, roster), so folding a stream whole costs O(length²) per command;
 * this makes it O(new events). A kept fold is reused only when the event it ended on is the very object
 * the stream now holds at that version: the SQLite store's stream cache hands out the same frozen
 * objects until any commit by another connection, so a stream re-read from the file (or read from a
 * store without such a cache) is folded whole again. The evolve functions are pure, so folding the tail
 * onto the kept state equals folding the whole stream; kept states are frozen, so a decision that
 * tried to change one would fail loudly instead of changing what the next command sees.
 */
export const keptFold = <S, E>(
  evolve: (state: S, event: E) => S,
  initial: () => S,
  toEvent: (stored: StoredEvent) => E,
  capacity: number,
  /** Folds a run of events at once, equal to `evolve` one by one (a study's roster is copied once per run, not per line). */
  evolveMany: (state: S, events: readonly E[]) => S = (state, events) => events.reduce(evolve, state),
) => {
  const folds = new Map<string, Fold<S>>();
  return (stored: readonly StoredEvent[] | undefined): S => {
    const events = stored ?? [];
    const last = events.at(-1);
    if (last === undefined) return initial();
    const kept = folds.get(last.streamId);
    const reuse = kept !== undefined && events[kept.last.streamVersion - 1] === kept.last;
    let state = reuse ? kept.state : initial();
    state = evolveMany(state, events.slice(reuse ? kept.last.streamVersion : 0).map(toEvent));
    // Freezes what this fold built; the kept state's parts and the cached events are frozen already.
    deepFreeze(state);
    folds.delete(last.streamId);
    folds.set(last.streamId, { last, state });
    if (folds.size > capacity) folds.delete(folds.keys().next().value!);
    return state;
  };
};

/** The study's state from its stream (protocol, roster, lock); one study per ledger in practice. */
export const foldStudyStream = keptFold<StudyState, StudyEvent>(evolveStudy, initialStudyState, (e) => toRecorded(e) as unknown as StudyEvent, 16, evolveStudyMany);

/** A subject's state from its stream; the subjects written most recently keep their fold. */
export const foldSubjectStream = keptFold<SubjectState, RecordedSubjectEvent>(evolveSubject, initialSubjectState, (e) => toRecorded(e) as unknown as RecordedSubjectEvent, 4096);
