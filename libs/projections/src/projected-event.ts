import type { Recorded } from '@trial-ledger/domain';
import { toRecorded } from '@trial-ledger/command-pipeline';
import type { StoredEvent } from '@trial-ledger/event-store';

/**
 * What a projection folds: a recorded domain event (upcast to its current schema) plus the stream it
 * belongs to, which routes it to a read-model document.
 */
export type ProjectedEvent = Recorded & { readonly streamId: string; readonly reason: string | null };

export const toProjected = (stored: StoredEvent): ProjectedEvent => ({
  ...toRecorded(stored),
  streamId: stored.streamId,
  reason: stored.metadata.reason ?? null,
});
