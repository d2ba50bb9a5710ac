import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { toRecorded } from '@trial-ledger/command-pipeline';
import { foldStudy, notFound, studyStreamId, type RegisteredStudyState, type StudyEvent } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import type { VersionedView } from '../../shared/queries/versioned-view';
import { EVENT_STORE } from '../../shared/tokens';

export type StudyView = RegisteredStudyState & { readonly streamVersion: number };

export class GetStudyQuery extends Query<VersionedView<StudyView>> {
  constructor(readonly studyId: string) {
    super();
  }
}

/** The study as its own decider sees it: protocol in force, amendment history, roster, lock state. */
@QueryHandler(GetStudyQuery)
export class GetStudyQueryHandler implements IQueryHandler<GetStudyQuery, VersionedView<StudyView>> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ studyId }: GetStudyQuery): Promise<VersionedView<StudyView>> {
    const events = await this.store.readStream(studyStreamId(studyId));
    const state = foldStudy(events.map((e) => toRecorded<StudyEvent>(e)));
    if (state.status === 'unregistered') return notFound('STUDY.NOT_REGISTERED', `Study ${studyId} is not registered`, { studyId });
    const streamVersion = events.at(-1)?.streamVersion ?? 0;
    return { view: { ...state, streamVersion }, streamVersion };
  }
}
