import { recordDataExport, type DataExportRequest } from '@trial-ledger/command-pipeline';
import { DomainError, EXPORT_ROLES, requireExportRole } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import { assertIntactBeforeCopy } from '@trial-ledger/audit';
import type { GlobalOptions } from './cli-context';
import { actingUser, openIdentity } from './acting-user';

/**
 * Records a CLI export as `DataExported` (who, what, which filter, through which position) before a
 * byte of it is written, as the API and the viewer do: the acting user (`--as`) signs in, the role is
 * checked — a refusal recorded as `AuthorizationRefused` — and only a recorded export is written; but
 * first the chain is verified (`assertIntactBeforeCopy`).
 */
export const recordCliExport = async (options: GlobalOptions, store: EventStore, request: Omit<DataExportRequest, 'channel'>): Promise<number> => {
  // `report` prints the verification's verdict; every other export is a copy, made of an intact chain only.
  if (request.kind !== 'report') await assertIntactBeforeCopy(store);
  const identity = await openIdentity(store);
  const actor = await actingUser(options, identity);
  try {
    requireExportRole(request.kind, actor);
  } catch (error) {
    if (error instanceof DomainError) await identity.authorization.recordRefusal(actor, `Export ${request.kind}`, EXPORT_ROLES[request.kind], 'cli');
    throw error;
  }
  const { event } = await recordDataExport(store, { ...request, channel: 'cli' }, { actor, source: 'cli' });
  return event.throughPosition;
};
