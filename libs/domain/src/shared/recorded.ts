import type { Actor } from './actor';
import type { DomainEvent } from './decider';

/**
 * A domain event together with the facts of its recording that the domain may reason about: its id
 * (the target of corrections and voids), its place, when and by whom it was recorded. Built by the
 * application layer from a stored event; `evolve` functions fold these.
 */
export type Recorded<E extends DomainEvent = DomainEvent> = E & {
  readonly eventId: string;
  readonly streamVersion: number;
  readonly globalPosition: number;
  readonly recordedAt: string;
  readonly actor: Actor;
  readonly idempotencyKey: string | null;
  /**
   * The protocol version in force when the event was recorded (`metadata.protocolVersion`): a dose is
   * judged by its own version's schedule. Null or absent when none was stamped.
   */
  readonly protocolVersion?: number | null;
};
