import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { EventStore } from '@trial-ledger/event-store';
import { analysePfs, type PfsAnalysis } from '@trial-ledger/pfs';
import { EVENT_STORE } from '../../shared/tokens';

export class GetPfsQuery extends Query<PfsAnalysis> {
  constructor(
    readonly studyId: string,
    readonly cutoff: string | null,
    readonly asKnownAt: string | null,
  ) {
    super();
  }
}

/** The primary endpoint (SPEC §3, appendix B), derived from the ledger on every request. */
@QueryHandler(GetPfsQuery)
export class GetPfsQueryHandler implements IQueryHandler<GetPfsQuery, PfsAnalysis> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  execute({ studyId, cutoff, asKnownAt }: GetPfsQuery): Promise<PfsAnalysis> {
    return analysePfs(this.store, studyId, { cutoff, asKnownAt });
  }
}
