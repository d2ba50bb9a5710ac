import type { KeyObject } from 'node:crypto';
import { DomainError } from '@trial-ledger/domain';
import { verifyStore, type EventStore } from '@trial-ledger/event-store';
import { verifyLedger, type LedgerFault } from './ledger.verifier';
import { readCheckpointFile, type SignedCheckpoint } from './signed-checkpoint';

/** The server's signed checkpoints and the public key that checks them: what a copy is checked against beside the chain. */
export interface CopyAnchor {
  readonly checkpointFile: string;
  readonly publicKey: KeyObject;
}

/** The checkpoints of the file, or none when it is missing or cannot be read (`verify` names that refusal). */
const readableCheckpoints = (file: string): SignedCheckpoint[] => {
  try {
    return readCheckpointFile(file);
  } catch {
    return [];
  }
};

const tampered = (fault: Pick<LedgerFault, 'position' | 'damage' | 'message'>, against: string): DomainError =>
  new DomainError(
    'LEDGER.TAMPERED',
    `LEDGER DAMAGED at position ${fault.position}: ${fault.damage} — ${fault.message}; no copy is made of a ledger that no longer matches its ${against}, and nothing was recorded (run verify)`,
    'conflict',
    { position: fault.position, damage: fault.damage },
  );

/**
 * An export is handed on as an accurate copy of the record (Part 11 §11.10(b)), so the whole chain is
 * recomputed first: of a ledger whose content no longer matches its hashes (a value edited in the store
 * file, an event removed) no copy is made — it would pass the altered values on as the recorded ones —
 * and nothing is recorded (`LEDGER.TAMPERED`, with the first bad position). Given the server's signed
 * checkpoints (`anchor`), the same pass compares the log with them, so a tail deleted or recomputed behind
 * a checkpoint, whose remaining chain is intact, is refused too. The report is exempt: it prints the
 * verification's verdict itself. Costs one pass over the stored bytes (see `verifyStore`).
 */
export const assertIntactBeforeCopy = async (store: EventStore, anchor?: CopyAnchor | null): Promise<void> => {
  const checkpoints = anchor ? readableCheckpoints(anchor.checkpointFile) : [];
  if (anchor && checkpoints.length > 0) {
    const { fault } = await verifyLedger(store, { checkpoints, publicKey: anchor.publicKey });
    if (fault) throw tampered(fault, 'hashes or its signed checkpoints');
    return;
  }
  const chain = await verifyStore(store);
  if (chain.ok || !chain.fault) return;
  throw tampered(chain.fault, 'hashes');
};
