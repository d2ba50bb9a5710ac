import { upcast, type DomainEvent, type Recorded } from '@trial-ledger/domain';
import type { StoredEvent } from '@trial-ledger/event-store';

/** A stored event, upcast to its type's current schema, in the shape domain `evolve` functions fold. */
export const toRecorded = <E extends DomainEvent = DomainEvent>(stored: StoredEvent): Recorded<E> => {
  const current = upcast(stored);
  return {
    type: current.type,
    data: current.data,
    eventId: stored.eventId,
    streamVersion: stored.streamVersion,
    globalPosition: stored.globalPosition,
    recordedAt: stored.metadata.recordedAt,
    actor: stored.metadata.actor,
    idempotencyKey: stored.metadata.idempotencyKey,
    protocolVersion: stored.metadata.protocolVersion ?? null,
  } as unknown as Recorded<E>;
};
