import { DomainError } from '@trial-ledger/domain';

/** Damage a running server found in its own ledger: the first event whose content no longer matches its hash. */
export interface FoundDamage {
  readonly position: number;
  readonly message: string;
}

/**
 * What a running server knows of its ledger's integrity. `trial-ledger serve` verifies every event
 * after its last signed checkpoint as it arrives (`startAutoCheckpoints`); damage found there is
 * reported here, and readiness (`/health`) then answers 503 `LEDGER.TAMPERED` for as long as the server
 * runs, so an orchestrator or a monitoring probe raises the alarm instead of a line on stderr alone.
 * The first damage found is kept: later events verify against a chain already broken.
 */
export class LedgerIntegrityWatch {
  private found: FoundDamage | null = null;
  private signingStopped = false;

  report(position: number, message: string): void {
    this.found ??= { position, message };
  }

  /**
   * Signed checkpoints stopped (their file cannot be written) or resumed. Commands are still recorded and
   * verified as they arrive, so readiness stays up; `/health` says `checkpoints: "stopped"` beside it.
   */
  checkpointsStopped(stopped: boolean): void {
    this.signingStopped = stopped;
  }

  get checkpointsAreStopped(): boolean {
    return this.signingStopped;
  }

  get damage(): FoundDamage | null {
    return this.found;
  }
}

/**
 * The refusal of a judgment over recorded entries — source data verification, a step of a monitor query, an
 * electronic signature — on a ledger known to be damaged (found by the server while it runs, or by the CLI's
 * check before the command): each attests to, or settles a question on, entries as the store holds them, and
 * those may no longer be what was recorded. Nothing is written (`LEDGER.TAMPERED`, 409, the first damaged
 * position in `position`); data entry is not refused (a new fact is chained and hashed itself).
 */
export const attestationOnDamagedLedger = (damage: { readonly position: number; readonly message: string }, what: string): DomainError =>
  new DomainError(
    'LEDGER.TAMPERED',
    `LEDGER DAMAGED at position ${damage.position}: ${damage.message}; ${what} is not recorded over a ledger that no longer matches its hashes or signed checkpoints, and nothing was written (run verify)`,
    'conflict',
    { position: damage.position },
  );
