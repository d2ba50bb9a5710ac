import { firstRegisteredStudy } from '@trial-ledger/audit';
import { loadDefaultProtocol } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';

/**
 * The study a command acts on: the one `--study` names, else the first registered in the ledger (as
 * `report` and `audit-trail review` choose), so a ledger of another protocol than the seed's needs no
 * `--study` either. A ledger with no study falls back to the seed protocol's id, whose absence the
 * command then reports (`STUDY.NOT_FOUND`). Read from the store the command has open, not a second one.
 */
export const studyOrDefault = async (store: EventStore, named: string | undefined): Promise<string> =>
  named ?? (await firstRegisteredStudy(store)) ?? loadDefaultProtocol().studyId;
