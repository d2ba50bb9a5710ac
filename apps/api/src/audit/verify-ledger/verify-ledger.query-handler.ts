import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { verifyLedger, type LedgerVerification } from '@trial-ledger/audit';
import type { EventStore } from '@trial-ledger/event-store';
import { EVENT_STORE } from '../../shared/tokens';

/** The server's verdict, with what it rests on: the chain alone, never anchored (see `trial-ledger verify`). */
export interface ServerLedgerVerification extends LedgerVerification {
  readonly anchored: false;
  readonly trust: { readonly statement: string };
}

export class VerifyLedgerQuery extends Query<ServerLedgerVerification> {}

const SERVER_TRUST_STATEMENT =
  'Trust basis: the hash chain only (not anchored) — the server recomputes its own chain, which whoever can write the store can recompute too; ' +
  'anchor it offline with trial-ledger verify and a public key you hold (--public-key or verify --pin-key) and your own copy of the checkpoints.';

/**
 * Recomputes the chain on request. Checkpoints are not consulted here: a regulator checks them
 * offline with `trial-ledger verify --checkpoints … --public-key …` and their own copies, so the
 * answer says it is not anchored.
 */
@QueryHandler(VerifyLedgerQuery)
export class VerifyLedgerQueryHandler implements IQueryHandler<VerifyLedgerQuery, ServerLedgerVerification> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute(): Promise<ServerLedgerVerification> {
    return { ...(await verifyLedger(this.store)), anchored: false, trust: { statement: SERVER_TRUST_STATEMENT } };
  }
}
