import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { EventStore } from '@trial-ledger/event-store';
import { diffPfs, type PfsDiff, type PfsDiffOptions } from '@trial-ledger/pfs';
import { EVENT_STORE } from '../../shared/tokens';

export class GetPfsDiffQuery extends Query<PfsDiff> {
  constructor(
    readonly studyId: string,
    readonly options: PfsDiffOptions,
  ) {
    super();
  }
}

/** Endpoint provenance: two PFS analyses compared, derived from the ledger on every request. */
@QueryHandler(GetPfsDiffQuery)
export class GetPfsDiffQueryHandler implements IQueryHandler<GetPfsDiffQuery, PfsDiff> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  execute({ studyId, options }: GetPfsDiffQuery): Promise<PfsDiff> {
    return diffPfs(this.store, studyId, options);
  }
}
