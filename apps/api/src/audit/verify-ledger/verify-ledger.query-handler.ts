import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { verifyLedger, type LedgerVerification } from '@trial-ledger/audit';
import { storeScheme, type EventStore } from '@trial-ledger/event-store';
import { EVENT_STORE } from '../../shared/tokens';

export class VerifyLedgerQuery extends Query<LedgerVerification> {}

/**
 * Recomputes the chain on request. Checkpoints are not consulted here: a regulator checks them
 * offline with `trial-ledger verify --checkpoints … --public-key …` and their own copies.
 */
@QueryHandler(VerifyLedgerQuery)
export class VerifyLedgerQueryHandler implements IQueryHandler<VerifyLedgerQuery, LedgerVerification> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** The kind of store only: its file path or host is a server detail a monitor or regulator does not need. */
  async execute(): Promise<LedgerVerification> {
    const verification = await verifyLedger(this.store);
    return { ...verification, store: storeScheme(verification.store) };
  }
}
