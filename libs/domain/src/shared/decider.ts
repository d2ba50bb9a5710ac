import type { Actor } from './actor';

/** A domain event as the domain sees it: plain data, discriminated by a permanent `type` string. */
export interface DomainEvent<Type extends string = string, Data extends object = Record<string, unknown>> {
  readonly type: Type;
  readonly data: Data;
}

/**
 * What the decider may know about the moment and the person: given by the caller, never read from
 * a clock or a global, so that replaying a decision gives the same answer forever.
 */
export interface CommandMetadata {
  readonly actor: Actor;
  /** Server time of the request, ISO 8601 UTC with milliseconds. */
  readonly now: string;
  readonly reason?: string | null;
}

/** The shape every aggregate exports (after emmett's `Decider`). */
export interface Decider<Command, State, Event extends DomainEvent, Context = CommandMetadata> {
  decide(command: Command, state: State, context: Context): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}
