import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { answerConsistency } from '@trial-ledger/audit';
import type { EventStore } from '@trial-ledger/event-store';
import { EVENT_STORE } from '../../shared/tokens';

export interface ConsistencyAnswer {
  readonly fromSize: number;
  readonly toSize: number;
  /** Base64 roots of the two trees, from the stored tree (unsigned: check them against signed tree heads). */
  readonly fromRoot: string;
  readonly toRoot: string;
  readonly proof: string[];
}

export class GetConsistencyProofQuery extends Query<ConsistencyAnswer> {
  constructor(
    readonly from: number,
    readonly to: number | undefined,
  ) {
    super();
  }
}

/** An RFC 9162 consistency proof between two sizes of the stored tree, in O(log n) reads. */
@QueryHandler(GetConsistencyProofQuery)
export class GetConsistencyProofQueryHandler implements IQueryHandler<GetConsistencyProofQuery, ConsistencyAnswer> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute(query: GetConsistencyProofQuery): Promise<ConsistencyAnswer> {
    const toSize = query.to ?? (await this.store.head()).position;
    return { fromSize: query.from, toSize, ...(await answerConsistency(this.store, query.from, toSize)) };
  }
}
