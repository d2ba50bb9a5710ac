import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { notFound } from '@trial-ledger/domain';
import type { Clock, EventStore } from '@trial-ledger/event-store';
import { getCasebook, replaySubject, withCasebookMonitoring, type CasebookWithMonitoring, type ReplayedCasebook } from '@trial-ledger/projections';
import { CLOCK, EVENT_STORE } from '../../shared/tokens';
import { ReadModelsRunner } from '../read-models.runner';

export type { CasebookWithMonitoring };

export class GetCasebookQuery extends Query<CasebookWithMonitoring> {
  constructor(
    readonly studyId: string,
    readonly subjectId: string,
    readonly asKnownAt: string | null,
    readonly position: number | null,
    readonly minPosition: number | null = null,
  ) {
    super();
  }
}

/**
 * The subject casebook. The current one is the read model's row (as it stands, or once it reaches
 * `minPosition`); "what did the ledger say about subject S at T" folds the study's and the subject's
 * streams only, cut at one consistent position. Either way each entry's queries and SDV state are
 * joined from the monitoring read model as of the same position.
 */
@QueryHandler(GetCasebookQuery)
export class GetCasebookQueryHandler implements IQueryHandler<GetCasebookQuery, CasebookWithMonitoring> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModels: ReadModelsRunner,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(query: GetCasebookQuery): Promise<CasebookWithMonitoring> {
    return withCasebookMonitoring(this.store, await this.casebook(query), { asKnownAt: query.asKnownAt, position: query.position }, this.clock.now());
  }

  private async casebook({ studyId, subjectId, asKnownAt, position, minPosition }: GetCasebookQuery): Promise<ReplayedCasebook> {
    if (asKnownAt === null && position === null) {
      const current = await this.readModels.at(minPosition);
      if (current !== null) {
        const casebook = getCasebook(current.documents, studyId, subjectId);
        if (casebook === null) return notFound('SUBJECT.NOT_FOUND', `No subject ${subjectId} in study ${studyId}`, { studyId, subjectId });
        return { asOf: { position: current.position, asKnownAt: null }, casebook };
      }
    }
    return replaySubject(this.store, studyId, subjectId, { asKnownAt, toPosition: position });
  }
}
