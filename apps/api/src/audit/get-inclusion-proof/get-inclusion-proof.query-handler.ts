import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { answerInclusion, type InclusionAnswer } from '@trial-ledger/audit';
import type { EventStore } from '@trial-ledger/event-store';
import { EVENT_STORE } from '../../shared/tokens';

export class GetInclusionProofQuery extends Query<InclusionAnswer> {
  constructor(
    readonly eventId: string,
    readonly treeSize: number | undefined,
  ) {
    super();
  }
}

/**
 * An RFC 9162 inclusion proof from the stored tree, in O(log n) reads. The root is not signed here
 * (the server holds no signing key): the caller checks it against a signed tree head it holds.
 */
@QueryHandler(GetInclusionProofQuery)
export class GetInclusionProofQueryHandler implements IQueryHandler<GetInclusionProofQuery, InclusionAnswer> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  execute(query: GetInclusionProofQuery): Promise<InclusionAnswer> {
    return answerInclusion(this.store, { eventId: query.eventId }, query.treeSize);
  }
}
