import { firstRegisteredStudy } from '@trial-ledger/audit';
import { loadDefaultProtocol } from '@trial-ledger/domain';
import { withExistingStore, type GlobalOptions } from './cli-context';

/**
 * The study a command acts on: the one `--study` names, else the first registered in the ledger (as
 * `report` and `audit-trail review` choose), so a ledger of another protocol than the seed's needs no
 * `--study` either. A ledger with no study falls back to the seed protocol's id, whose absence the
 * command then reports (`STUDY.NOT_FOUND`).
 */
export const studyOrDefault = async (options: GlobalOptions, named: string | undefined): Promise<string> =>
  named ?? (await withExistingStore(options, firstRegisteredStudy)) ?? loadDefaultProtocol().studyId;
