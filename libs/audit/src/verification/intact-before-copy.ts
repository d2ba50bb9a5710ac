import { DomainError } from '@trial-ledger/domain';
import { verifyStore, type EventStore } from '@trial-ledger/event-store';

/**
 * An export is handed on as an accurate copy of the record (Part 11 §11.10(b)), so the whole chain is
 * recomputed first: of a ledger whose content no longer matches its hashes (a value edited in the store
 * file, an event removed) no copy is made — it would pass the altered values on as the recorded ones —
 * and nothing is recorded (`LEDGER.TAMPERED`, with the first bad position). The report is exempt: it
 * prints the verification's verdict itself. Costs one pass over the stored bytes (see `verifyStore`).
 */
export const assertIntactBeforeCopy = async (store: EventStore): Promise<void> => {
  const chain = await verifyStore(store);
  if (chain.ok || !chain.fault) return;
  const { position, damage, message } = chain.fault;
  throw new DomainError(
    'LEDGER.TAMPERED',
    `LEDGER DAMAGED at position ${position}: ${damage} — ${message}; no copy is made of a ledger whose content no longer matches its hashes, and nothing was recorded (run verify)`,
    'conflict',
    { position, damage },
  );
};
