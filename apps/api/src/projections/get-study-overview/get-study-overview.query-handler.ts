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
    readonly minPosition: number | null = null,
  ) {
    super();
  }
}

/**
 * The study dashboard. The current one comes from the read models kept by the checkpointed
 * subscription, as they stand (or once they reach `minPosition`); a past one ("as known at") folds the
 * study's streams from the log up to the bound.
 */
@QueryHandler(GetStudyOverviewQuery)
export class GetStudyOverviewQueryHandler implements IQueryHandler<GetStudyOverviewQuery, StudyOverviewView> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModels: ReadModelsRunner,
  ) {}

  async execute({ studyId, asKnownAt, position, minPosition }: GetStudyOverviewQuery): Promise<StudyOverviewView> {
    if (asKnownAt === null && position === null) {
      const current = await this.readModels.at(minPosition);
      if (current !== null) {
        const overview = getStudyOverview(current.documents, studyId);
        if (overview === null) return notFound('STUDY.NOT_FOUND', `No study ${studyId}`, { studyId });
        return { asOf: { position: current.position, asKnownAt: null }, overview };
      }
    }
    return replayStudyOverview(this.store, studyId, { asKnownAt, toPosition: position });
  }
}
