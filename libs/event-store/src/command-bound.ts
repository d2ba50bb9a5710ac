import type { EventStore } from './event-store.port';

/**
 * The last position of the command whose append wrote the event at `position`: a bound by log position
 * means "the ledger after the command that wrote event N", so one command's atomic append (an enrollment
 * and its roster entry, a dose and the deviation detected with it) is never cut in half — a state the
 * ledger never had. A command's events are contiguous, share the correlation id and the idempotency key,
 * and every one after the first is caused by the first (or by what caused the first), as the command
 * pipeline stamps them. Position 0, the last event of a command and a single-event command stay as asked.
 * Every reader bound to a position a caller names (replays, PFS, exports, the audit trail) goes through it.
 */
export const commandEndAt = async (store: EventStore, position: number): Promise<number> => {
  if (position <= 0) return position;
  let end = position;
  let command: { readonly correlationId: string; readonly causedBy: string; readonly idempotencyKey: string | null } | null = null;
  for await (const event of store.readAll({ afterPosition: position - 1, batchSize: 8 })) {
    const m = event.metadata;
    if (command === null) {
      // The first event of a command has no cause of its own (or the command's); the events after it name it (or that one).
      command = { correlationId: m.correlationId, causedBy: m.causationId ?? event.eventId, idempotencyKey: m.idempotencyKey ?? null };
      continue;
    }
    if (m.correlationId !== command.correlationId || m.causationId !== command.causedBy || (m.idempotencyKey ?? null) !== command.idempotencyKey) break;
    end = event.globalPosition;
  }
  return end;
};
