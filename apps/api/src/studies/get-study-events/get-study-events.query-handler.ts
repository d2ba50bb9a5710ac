import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { isStudySetupEvent, notFound, readsClinicalData, studyStreamId, type Role } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import { pageOfHistory, type EventHistoryPage, type EventHistoryQueryDto } from '../../shared/queries/event-history';
import type { VersionedView } from '../../shared/queries/versioned-view';
import { EVENT_STORE } from '../../shared/tokens';

export class GetStudyEventsQuery extends Query<VersionedView<EventHistoryPage>> {
  constructor(
    readonly studyId: string,
    readonly page: EventHistoryQueryDto,
    /** The reader's role: the administrator reads the set-up events only (SPEC §5). */
    readonly role: Role,
  ) {
    super();
  }
}

/**
 * The study stream as stored. Its `SubjectAddedToRoster` events (subject id, enrollment date) are
 * clinical: the administrator's pages leave them out (the versions of the events shown keep their gaps).
 */
@QueryHandler(GetStudyEventsQuery)
export class GetStudyEventsQueryHandler implements IQueryHandler<GetStudyEventsQuery, VersionedView<EventHistoryPage>> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ studyId, page, role }: GetStudyEventsQuery): Promise<VersionedView<EventHistoryPage>> {
    const streamId = studyStreamId(studyId);
    const events = await this.store.readStream(streamId);
    if (events.length === 0) return notFound('STUDY.NOT_REGISTERED', `Study ${studyId} is not registered`, { studyId });
    const view = pageOfHistory(streamId, events, page, readsClinicalData(role) ? undefined : (e) => isStudySetupEvent(e.type));
    return { view, streamVersion: view.streamVersion };
  }
}
