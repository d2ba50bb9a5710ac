import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { EventStore } from '@trial-ledger/event-store';
import { replaySubject, type SubjectCasebook } from '@trial-ledger/projections';
import type { VersionedView } from '../../shared/queries/versioned-view';
import { EVENT_STORE } from '../../shared/tokens';

export class GetSubjectQuery extends Query<VersionedView<SubjectCasebook>> {
  constructor(
    readonly studyId: string,
    readonly subjectId: string,
  ) {
    super();
  }
}

/**
 * The subject's current casebook (corrected values, voided entries flagged, RECIST re-derived), folded
 * from the ledger at the head by the same projection that serves replays "as known at".
 */
@QueryHandler(GetSubjectQuery)
export class GetSubjectQueryHandler implements IQueryHandler<GetSubjectQuery, VersionedView<SubjectCasebook>> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ studyId, subjectId }: GetSubjectQuery): Promise<VersionedView<SubjectCasebook>> {
    const { casebook } = await replaySubject(this.store, studyId, subjectId);
    return { view: casebook, streamVersion: casebook.streamVersion };
  }
}
