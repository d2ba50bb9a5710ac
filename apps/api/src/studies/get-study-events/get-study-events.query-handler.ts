import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { notFound, studyStreamId } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import { pageOfHistory, type EventHistoryPage, type EventHistoryQueryDto } from '../../shared/queries/event-history';
import type { VersionedView } from '../../shared/queries/versioned-view';
import { EVENT_STORE } from '../../shared/tokens';

export class GetStudyEventsQuery extends Query<VersionedView<EventHistoryPage>> {
  constructor(
    readonly studyId: string,
    readonly page: EventHistoryQueryDto,
  ) {
    super();
  }
}

@QueryHandler(GetStudyEventsQuery)
export class GetStudyEventsQueryHandler implements IQueryHandler<GetStudyEventsQuery, VersionedView<EventHistoryPage>> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ studyId, page }: GetStudyEventsQuery): Promise<VersionedView<EventHistoryPage>> {
    const streamId = studyStreamId(studyId);
    const events = await this.store.readStream(streamId);
    if (events.length === 0) return notFound('STUDY.NOT_REGISTERED', `Study ${studyId} is not registered`, { studyId });
    const view = pageOfHistory(streamId, events, page);
    return { view, streamVersion: view.streamVersion };
  }
}
