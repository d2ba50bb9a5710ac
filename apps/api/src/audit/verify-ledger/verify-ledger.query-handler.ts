import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { verifyLedger, type LedgerVerification } from '@trial-ledger/audit';
import { inspectionReport, inspectStore, storeScheme, type EventStore, type StoreInspectionReport } from '@trial-ledger/event-store';
import { EVENT_STORE } from '../../shared/tokens';

/**
 * The chain's verification, with the side records and defences outside it (`ok` covers both chain and
 * side records), and what it rests on: the chain alone, never anchored (see `trial-ledger verify`).
 */
export type LedgerVerificationReport = LedgerVerification &
  StoreInspectionReport & { readonly anchored: false; readonly trust: { readonly statement: string } };

export class VerifyLedgerQuery extends Query<LedgerVerificationReport> {}

const SERVER_TRUST_STATEMENT =
  'Trust basis: the hash chain only (not anchored) — the server recomputes its own chain, which whoever can write the store can recompute too; ' +
  'anchor it offline with trial-ledger verify and a public key you hold (--public-key or verify --pin-key) and your own copy of the checkpoints.';

/**
 * Recomputes the chain on request and checks the side records against it (a planted idempotency row
 * makes `ok` false) and the store's defences (`warnings`). Checkpoints are not consulted here: a
 * regulator checks them offline with `trial-ledger verify --checkpoints … --public-key …` and their
 * own copies, so the answer says it is not anchored.
 */
@QueryHandler(VerifyLedgerQuery)
export class VerifyLedgerQueryHandler implements IQueryHandler<VerifyLedgerQuery, LedgerVerificationReport> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute(): Promise<LedgerVerificationReport> {
    const verification = await verifyLedger(this.store);
    const inspection = await inspectStore(this.store);
    // The kind of store only: its file path or host is a server detail a monitor or regulator does not need.
    return {
      ...verification,
      store: storeScheme(verification.store),
      ok: verification.ok && inspection.ok,
      ...inspectionReport(inspection),
      anchored: false,
      trust: { statement: SERVER_TRUST_STATEMENT },
    };
  }
}
