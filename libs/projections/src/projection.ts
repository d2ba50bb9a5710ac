import type { ProjectedEvent } from './projected-event';
import type { DocumentLayout } from './store/document-lists';

/**
 * A read model's state: documents by key (a casebook per subject, counters per study). Kept as plain
 * records so each persists as one JSON row and a runner saves only the rows an event replaced.
 */
export type ProjectionState<Doc> = Readonly<Record<string, Doc>>;

/** What an event changes: the documents it replaces, by key; null when it changes nothing. */
export type ProjectionChanges<Doc> = Readonly<Record<string, Doc>> | null;

/**
 * A projection is a pure fold of the log (STYLE: "projections are pure evolve functions per read
 * model, idempotent, rebuildable from zero"). `evolve` reads the documents it needs and returns only
 * those it replaces, so the cost of an event does not grow with the number of documents.
 */
export interface Projection<Doc> {
  readonly name: string;
  /** Bump when `evolve` changes meaning: a stored state of another version is rebuilt from position 0. */
  readonly version: number;
  evolve(state: ProjectionState<Doc>, event: ProjectedEvent): ProjectionChanges<Doc>;
  /** The lists of a document that grow with its history, saved in rows of their own (see `DocumentLayout`). */
  readonly layout?: DocumentLayout;
}

/** Applies one event's changes in place (runners own their state); returns whether anything changed. */
export const applyChanges = <Doc>(state: Record<string, Doc>, changes: ProjectionChanges<Doc>): boolean => {
  if (changes === null) return false;
  const keys = Object.keys(changes);
  for (const key of keys) state[key] = changes[key];
  return keys.length > 0;
};

/**
 * Folds a sequence of events from an empty state: the definition of "rebuild from zero". A `from`
 * state is never modified: it is copied on the first change (and returned as is when nothing changes).
 */
export const foldProjection = <Doc>(projection: Projection<Doc>, events: Iterable<ProjectedEvent>, from: ProjectionState<Doc> = {}): ProjectionState<Doc> => {
  let state: Record<string, Doc> | null = null;
  for (const event of events) {
    const changes = projection.evolve(state ?? from, event);
    if (changes === null || Object.keys(changes).length === 0) continue;
    state ??= { ...from };
    applyChanges(state, changes);
  }
  return state ?? from;
};
