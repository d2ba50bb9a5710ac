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
export const ledgerFault = async (store: EventStore, options: GlobalOptions): Promise<LedgerFault | null> => (await ledgerCheck(store, options)).fault;

/** What a check of the ledger rested on, in a sentence, for an export's summary (`--json`: the fields). */
export interface CheckedTrust {
  /** True only with signed checkpoints checked under a key the verifier chose (pinned), as `verify` counts it. */
  readonly anchored: boolean;
  readonly checkpointsChecked: number;
  readonly statement: string;
}

const CHAIN_ONLY = 'the hash chain only (not anchored) — ';

/** {@link ledgerFault} with what it rested on: the chain alone, or the chain and the signed checkpoints under which key. */
export const ledgerCheck = async (store: EventStore, options: GlobalOptions): Promise<{ fault: LedgerFault | null; trust: CheckedTrust }> => {
  let source: ReturnType<typeof checkpointSource> | null = null;
  let unreadable: string | null = null;
  try {
    source = checkpointSource(options.store, {}, options.keyDir, await ledgerIdentity(store));
  } catch (error) {
    unreadable = error instanceof Error ? error.message : String(error);
  }
  const anchor = source?.publicKey && source.checkpoints.length > 0 ? { checkpoints: source.checkpoints, publicKey: source.publicKey } : null;
  const { fault } = await verifyLedger(store, anchor ?? {});
  if (anchor === null || source?.trust.publicKey == null) {
    const why =
      unreadable !== null
        ? `the signed checkpoints could not be read (${unreadable})`
        : source?.publicKey
          ? 'no signed checkpoint anchors it (none written: a server run with --checkpoint-every 0, or none yet)'
          : 'no signed checkpoint anchors it (no key to check checkpoints under in the key directory)';
    return { fault, trust: { anchored: false, checkpointsChecked: 0, statement: `${CHAIN_ONLY}${why}; whoever can write the store can recompute the chain` } };
  }
  const key = source.trust.publicKey;
  const anchored = source.trust.anchored;
  const basis = anchored
    ? 'anchored'
    : `not anchored: ${key.origin === 'ledger-key' ? "the key is the operator's own signing key, so whoever holds it can re-sign a rewritten log; pin the key you received with verify --pin-key FILE" : "the key file lies in the store's directory"}`;
  return {
    fault,
    trust: { anchored, checkpointsChecked: anchor.checkpoints.length, statement: `the hash chain and ${anchor.checkpoints.length} signed checkpoint(s) under ${key.fingerprint} (${basis})` },
  };
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
