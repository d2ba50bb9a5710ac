import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { EventStore } from '@trial-ledger/event-store';
import { analysePfs, studyPfsOf, summarisePfs, type PfsAnalysis } from '@trial-ledger/pfs';
import { ReadModelsRunner } from '../../projections/read-models.runner';
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

/**
 * The primary endpoint (SPEC §3, appendix B). Now (no `asKnownAt`): from the casebook rows of the read
 * models the server keeps, once they have folded the head (every acknowledged write is in the
 * analysis); as known at an instant, or while the read models are unavailable or still catching up:
 * from the study's and its rostered subjects' streams, cut at one position.
 */
@QueryHandler(GetPfsQuery)
export class GetPfsQueryHandler implements IQueryHandler<GetPfsQuery, PfsAnalysis> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModels: ReadModelsRunner,
  ) {}

  async execute({ studyId, cutoff, asKnownAt }: GetPfsQuery): Promise<PfsAnalysis> {
    if (asKnownAt === null) {
      const current = await this.readModels.atHead();
      if (current !== null) return summarisePfs(studyPfsOf(current.documents, studyId, { cutoff, asOf: { position: current.position, asKnownAt: null } }));
    }
    return analysePfs(this.store, studyId, { cutoff, asKnownAt });
  }
}
