import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { EventStore } from '@trial-ledger/event-store';
import { subjectSdvProgress, type SubjectSdvProgress } from '@trial-ledger/projections';
import { EVENT_STORE } from '../../shared/tokens';
import { monitoringOfStudy } from '../monitoring.read-model';

export class GetSourceVerificationsQuery extends Query<SubjectSdvProgress> {
  constructor(readonly studyId: string, readonly subjectId: string) {
    super();
  }
}

/** Per-subject SDV progress: each entry verified, not yet, or revoked by a later correction or void. */
@QueryHandler(GetSourceVerificationsQuery)
export class GetSourceVerificationsQueryHandler implements IQueryHandler<GetSourceVerificationsQuery, SubjectSdvProgress> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ studyId, subjectId }: GetSourceVerificationsQuery): Promise<SubjectSdvProgress> {
    return subjectSdvProgress(await monitoringOfStudy(this.store, studyId), subjectId);
  }
}
