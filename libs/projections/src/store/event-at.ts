import type { EventStore, StoredEvent } from '@trial-ledger/event-store';
import type { StoredProjection } from './projection-store.port';

/** The event at a global position of the log, or null when the log does not reach it. */
export const eventAt = async (store: EventStore, position: number): Promise<StoredEvent | null> => {
  for await (const event of store.readAll({ afterPosition: position - 1, toPosition: position, batchSize: 1 })) return event;
  return null;
};

/**
 * Whether saved read models fold this log: never run, or the event at their checkpoint is the very one
 * they were saved on (its hash). A seal says the server wrote the rows, not which log they fold: a
 * server on a ledger of the same name shares the key. Rows saved without an anchor are not this log's.
 */
export const savedOnThisLog = async (store: EventStore, saved: Pick<StoredProjection<unknown>, 'checkpoint' | 'anchor'>): Promise<boolean> =>
  saved.checkpoint === 0 || (saved.anchor != null && saved.anchor === (await eventAt(store, saved.checkpoint))?.hash);
