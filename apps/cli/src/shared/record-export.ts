import { recordDataExport, type DataExportRequest } from '@trial-ledger/command-pipeline';
import { DomainError, EXPORT_ROLES, requireExportRole } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import { assertIntactBeforeCopy } from '@trial-ledger/audit';
import type { GlobalOptions } from './cli-context';
import { actingUser, openIdentity } from './acting-user';
import { ledgerCheck, type CheckedTrust } from './ledger-damage';

/**
 * Records a CLI export as `DataExported` (who, what, which filter, through which position) before a
 * byte of it is written, as the API and the viewer do: the acting user (`--as`) signs in, the role is
 * checked — a refusal recorded as `AuthorizationRefused` — and only a recorded export is written; but
 * first the chain is verified (`assertIntactBeforeCopy`), and the server's signed checkpoints where a key checks them.
 */
export const recordCliExport = async (options: GlobalOptions, store: EventStore, request: Omit<DataExportRequest, 'channel'>): Promise<RecordedExport> => {
  // `report` prints the verification's verdict; every other export is a copy, made of an intact chain only.
  let trust: CheckedTrust | null = null;
  if (request.kind !== 'report') {
    await assertIntactBeforeCopy(store);
    // The chain of a log cut back or recomputed behind a signed checkpoint is intact: the checkpoint shows it.
    const checked = await ledgerCheck(store, options);
    const fault = checked.fault;
    trust = checked.trust;
    if (fault) {
      throw new DomainError(
        'LEDGER.TAMPERED',
        `LEDGER DAMAGED at position ${fault.position}: ${fault.damage} — ${fault.message}; no copy is made of a ledger that no longer matches its signed checkpoints, and nothing was recorded (run verify)`,
        'conflict',
        { position: fault.position, damage: fault.damage },
      );
    }
  }
  const identity = await openIdentity(store);
  const actor = await actingUser(options, identity);
  try {
    requireExportRole(request.kind, actor);
  } catch (error) {
    if (error instanceof DomainError) await identity.authorization.recordRefusal(actor, `Export ${request.kind}`, EXPORT_ROLES[request.kind], 'cli');
    throw error;
  }
  const { event } = await recordDataExport(store, { ...request, channel: 'cli' }, { actor, source: 'cli' });
  return { throughPosition: event.throughPosition, trust };
};

/** The position an export was recorded through, and what the check before the copy rested on (null for `report`, which prints its own). */
export interface RecordedExport {
  readonly throughPosition: number;
  readonly trust: CheckedTrust | null;
}

/** The summary's second sentence: what the copy was checked against. */
export const trustSentence = (trust: CheckedTrust | null): string => (trust === null ? '' : ` Checked before the copy: ${trust.statement}.`);
