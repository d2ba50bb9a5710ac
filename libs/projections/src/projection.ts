import type { ProjectedEvent } from './projected-event';

/**
 * A read model's state: documents by key (a casebook per subject, an overview per study). Kept as a
 * plain record so it persists as JSON and a runner can save only the documents an event replaced.
 */
export type ProjectionState<Doc> = Readonly<Record<string, Doc>>;

/**
 * A projection is a pure fold of the log (STYLE: "projections are pure evolve functions per read
 * model, idempotent, rebuildable from zero"). `evolve` must return the same object for every document
 * it did not change: that is how the runner knows what to persist.
 */
export interface Projection<Doc> {
  readonly name: string;
  /** Bump when `evolve` changes meaning: a stored state of another version is rebuilt from position 0. */
  readonly version: number;
  evolve(state: ProjectionState<Doc>, event: ProjectedEvent): ProjectionState<Doc>;
}

/** Folds a sequence of events from an empty state: the definition of "rebuild from zero". */
export const foldProjection = <Doc>(projection: Projection<Doc>, events: Iterable<ProjectedEvent>, from: ProjectionState<Doc> = {}): ProjectionState<Doc> => {
  let state = from;
  for (const event of events) state = projection.evolve(state, event);
  return state;
};
