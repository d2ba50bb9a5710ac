import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { toRecorded } from '@trial-ledger/command-pipeline';
import { foldStudy, notFound, readsClinicalData, studySetupView, studyStreamId, type RegisteredStudyState, type Role, type StudyEvent, type StudySetupView } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import type { VersionedView } from '../../shared/queries/versioned-view';
import { EVENT_STORE } from '../../shared/tokens';

/**
 * A clinical reader's view holds the roster (subject ids, enrollment dates); the administrator's is
 * the set-up view, without a `roster` member at all (not an empty one, which would say "nobody enrolled").
 */
export type StudyView = (RegisteredStudyState | StudySetupView) & { readonly streamVersion: number };

export class GetStudyQuery extends Query<VersionedView<StudyView>> {
  constructor(
    readonly studyId: string,
    /** The reader's role: it chooses the view (SPEC §5: the administrator never sees clinical data). */
    readonly role: Role,
  ) {
    super();
  }
}

/** The study as its own decider sees it: protocol in force, amendment history, roster, lock state. */
@QueryHandler(GetStudyQuery)
export class GetStudyQueryHandler implements IQueryHandler<GetStudyQuery, VersionedView<StudyView>> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ studyId, role }: GetStudyQuery): Promise<VersionedView<StudyView>> {
    const events = await this.store.readStream(studyStreamId(studyId));
    const state = foldStudy(events.map((e) => toRecorded<StudyEvent>(e)));
    if (state.status === 'unregistered') return notFound('STUDY.NOT_REGISTERED', `Study ${studyId} is not registered`, { studyId });
    // The version stays the stream's own: it is the If-Match of the administrator's lock, unlock and amendment.
    const streamVersion = events.at(-1)?.streamVersion ?? 0;
    const view = readsClinicalData(role) ? state : studySetupView(state);
    return { view: { ...view, streamVersion }, streamVersion };
  }
}
