import type { EventStore, StoredEvent } from '@trial-ledger/event-store';

/** The event at a global position of the log, or null when the log does not reach it. */
export const eventAt = async (store: EventStore, position: number): Promise<StoredEvent | null> => {
  for await (const event of store.readAll({ afterPosition: position - 1, toPosition: position, batchSize: 1 })) return event;
  return null;
};
