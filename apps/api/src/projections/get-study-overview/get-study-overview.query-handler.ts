import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { notFound } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import { getStudyOverview, replayStudyOverview, type ResolvedAsOf, type StudyOverview } from '@trial-ledger/projections';
import { EVENT_STORE } from '../../shared/tokens';
import { ReadModelsRunner } from '../read-models.runner';

export interface StudyOverviewView {
  readonly asOf: ResolvedAsOf;
  readonly overview: StudyOverview;
}

export class GetStudyOverviewQuery extends Query<StudyOverviewView> {
  constructor(
    readonly studyId: string,
    readonly asKnownAt: string | null,
    readonly position: number | null,
  ) {
    super();
  }
}

/**
 * The study dashboard. The current one comes from the read models kept by the checkpointed
 * subscription; a past one ("as known at") is replayed from the log.
 */
@QueryHandler(GetStudyOverviewQuery)
export class GetStudyOverviewQueryHandler implements IQueryHandler<GetStudyOverviewQuery, StudyOverviewView> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModels: ReadModelsRunner,
  ) {}

  async execute({ studyId, asKnownAt, position }: GetStudyOverviewQuery): Promise<StudyOverviewView> {
    if (asKnownAt === null && position === null) {
      const documents = await this.readModels.current();
      if (documents !== null) {
        const overview = getStudyOverview(documents, studyId);
        if (overview === null) return notFound('STUDY.NOT_FOUND', `No study ${studyId}`, { studyId });
        return { asOf: { position: this.readModels.runner.currentPosition, asKnownAt: null }, overview };
      }
    }
    return replayStudyOverview(this.store, studyId, { asKnownAt, toPosition: position });
  }
}
