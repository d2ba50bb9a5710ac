import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { notFound, subjectStreamId } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import { pageOfHistory, type EventHistoryPage, type EventHistoryQueryDto } from '../../shared/queries/event-history';
import type { VersionedView } from '../../shared/queries/versioned-view';
import { EVENT_STORE } from '../../shared/tokens';

export class GetSubjectEventsQuery extends Query<VersionedView<EventHistoryPage>> {
  constructor(
    readonly studyId: string,
    readonly subjectId: string,
    readonly page: EventHistoryQueryDto,
  ) {
    super();
  }
}

@QueryHandler(GetSubjectEventsQuery)
export class GetSubjectEventsQueryHandler implements IQueryHandler<GetSubjectEventsQuery, VersionedView<EventHistoryPage>> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ studyId, subjectId, page }: GetSubjectEventsQuery): Promise<VersionedView<EventHistoryPage>> {
    const streamId = subjectStreamId(studyId, subjectId);
    const events = await this.store.readStream(streamId);
    if (events.length === 0) return notFound('SUBJECT.NOT_FOUND', `No subject ${subjectId} in study ${studyId}`, { studyId, subjectId });
    const view = pageOfHistory(streamId, events, page);
    return { view, streamVersion: view.streamVersion };
  }
}
