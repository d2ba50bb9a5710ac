import { attestationOnDamagedLedger, verifyLedger, type LedgerFault } from '@trial-ledger/audit';
import type { EventStore } from '@trial-ledger/event-store';
import { checkpointSource, ledgerIdentity } from '../verify/checkpoint-source';
import type { GlobalOptions } from './cli-context';
import { terminalSafe } from './output';

/** `verify`'s exit status for a damaged ledger, which the read-only views share. */
export const EXIT_LEDGER_DAMAGED = 3;

/**
 * The first damage `verify` would name without options, or null: the read-only views (`replay`, `audit-trail`,
 * `audit-trail review`, `pfs`, `pfs diff`) recompute the hash chain before they answer (one pass over the stored
 * bytes, as an export does) and, where a key checks them, compare it with the server's signed checkpoints (a tail
 * deleted or recomputed behind one), so that an answer read from an edited store never passes for a clean one.
 * A checkpoint file or key that cannot be read leaves the chain alone to judge: `verify` names that refusal.
 */
export const ledgerFault = async (store: EventStore, options: GlobalOptions): Promise<LedgerFault | null> => {
  let anchor: { checkpoints: ReturnType<typeof checkpointSource>['checkpoints']; publicKey: NonNullable<ReturnType<typeof checkpointSource>['publicKey']> } | null = null;
  try {
    const source = checkpointSource(options.store, {}, options.keyDir, await ledgerIdentity(store));
    if (source.publicKey && source.checkpoints.length > 0) anchor = { checkpoints: source.checkpoints, publicKey: source.publicKey };
  } catch {
    anchor = null;
  }
  return (await verifyLedger(store, anchor ?? {})).fault;
};

/**
 * `ledgerFault` begun now, for a view to await once it has computed its answer: the chain's pass (worker threads
 * over a SQLite file) runs while the view folds, so the check adds little to the view's time. A view that fails
 * first leaves the check's outcome unread, not unhandled.
 */
export const ledgerCheckAlongside = (store: EventStore, options: GlobalOptions): Promise<LedgerFault | null> => {
  const check = ledgerFault(store, options);
  check.catch(() => undefined);
  return check;
};

/**
 * After a view has printed what it read: when the damage touches what it read (a position at or before `through`,
 * the last position it read, the whole log when not given; a tail missing behind a checkpoint always), name the
 * first damaged position on stderr and exit 3, as `verify` does. The view is still printed — an auditor
 * investigates a damaged ledger with these very commands.
 */
export const reportDamageRead = (fault: LedgerFault | null, through?: number): void => {
  if (fault === null || (fault.damage !== 'truncated' && through !== undefined && (fault.from ?? fault.position) > through)) return;
  process.stderr.write(
    `${terminalSafe(`trial-ledger: LEDGER DAMAGED at position ${fault.position}: ${fault.damage} — ${fault.message}; what is printed was read from a ledger that no longer matches its hashes or signed checkpoints (run verify) [LEDGER.TAMPERED]`)}\n`,
  );
  process.exitCode = EXIT_LEDGER_DAMAGED;
};

/**
 * Before a judgment over recorded entries is written (`sdv`, a step of a query): on a damaged ledger nothing is
 * written — `LEDGER.TAMPERED` with the first damaged position, exit 3 as `verify`'s for damage — as the API
 * refuses once its server has found damage (`attestationOnDamagedLedger`).
 */
export const refuseAttestationOnDamage = (fault: LedgerFault | null, what: string): void => {
  if (fault === null) return;
  throw Object.assign(attestationOnDamagedLedger({ position: fault.position, message: `${fault.damage} — ${fault.message}` }, what), { exitCode: EXIT_LEDGER_DAMAGED });
};
