import { verifyStore, type ChainFault, type EventStore } from '@trial-ledger/event-store';
import { terminalSafe } from './output';

/** `verify`'s exit status for a damaged ledger, which the read-only views share. */
export const EXIT_LEDGER_DAMAGED = 3;

/**
 * The first fault of the hash chain, or null when it is intact: the read-only views (`replay`, `audit-trail`,
 * `audit-trail review`, `pfs`, `pfs diff`) recompute it before they answer (one pass over the stored bytes,
 * as an export does), so that an answer read from an edited store never passes for a clean one.
 */
export const chainFault = async (store: EventStore): Promise<ChainFault | null> => {
  const chain = await verifyStore(store);
  return chain.ok ? null : chain.fault;
};

/**
 * After a view has printed what it read: when the damage lies within what it read (at or before `through`, the
 * last position it read; the whole log when not given), name the first damaged position on stderr and exit 3, as
 * `verify` does. The view is still printed — an auditor investigates a damaged ledger with these very commands.
 */
export const reportDamageRead = (fault: ChainFault | null, through?: number): void => {
  if (fault === null || (through !== undefined && fault.position > through)) return;
  process.stderr.write(
    `${terminalSafe(`trial-ledger: LEDGER DAMAGED at position ${fault.position}: ${fault.damage} — ${fault.message}; what is printed was read from a ledger whose content no longer matches its hashes (run verify) [LEDGER.TAMPERED]`)}\n`,
  );
  process.exitCode = EXIT_LEDGER_DAMAGED;
};
