import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { verifyLedger, type LedgerVerification } from '@trial-ledger/audit';
import { inspectionReport, inspectStore, storeScheme, type EventStore, type StoreInspectionReport } from '@trial-ledger/event-store';
import { EVENT_STORE } from '../../shared/tokens';

/** The chain's verification, with the side records and defences outside it (`ok` covers both chain and side records). */
export type LedgerVerificationReport = LedgerVerification & StoreInspectionReport;

export class VerifyLedgerQuery extends Query<LedgerVerificationReport> {}

/**
 * Recomputes the chain on request and checks the side records against it (a planted idempotency row
 * makes `ok` false) and the store's defences (`warnings`). Checkpoints are not consulted here: a regulator checks them
 * offline with `trial-ledger verify --checkpoints … --public-key …` and their own copies.
 */
@QueryHandler(VerifyLedgerQuery)
export class VerifyLedgerQueryHandler implements IQueryHandler<VerifyLedgerQuery, LedgerVerificationReport> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute(): Promise<LedgerVerificationReport> {
    const verification = await verifyLedger(this.store);
    const inspection = await inspectStore(this.store);
    // The kind of store only: its file path or host is a server detail a monitor or regulator does not need.
    return { ...verification, store: storeScheme(verification.store), ok: verification.ok && inspection.ok, ...inspectionReport(inspection) };
  }
}
