import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { notFound, sourceVerificationStreamId, subjectStreamId } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import { subjectSdvProgress, type SubjectSdvProgress } from '@trial-ledger/projections';
import type { VersionedView } from '../../shared/queries/versioned-view';
import { EVENT_STORE } from '../../shared/tokens';
import { monitoringOfStudy } from '../monitoring.read-model';

export class GetSourceVerificationsQuery extends Query<VersionedView<SubjectSdvProgress>> {
  constructor(readonly studyId: string, readonly subjectId: string) {
    super();
  }
}

/**
 * Per-subject SDV progress: each entry verified, not yet, or revoked by a later correction or void;
 * with the version of the subject's SDV stream, which `VerifySource` takes as `If-Match`. The version
 * is read first: a verification appended meanwhile makes it stale (412), never newer than the view.
 */
@QueryHandler(GetSourceVerificationsQuery)
export class GetSourceVerificationsQueryHandler implements IQueryHandler<GetSourceVerificationsQuery, VersionedView<SubjectSdvProgress>> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ studyId, subjectId }: GetSourceVerificationsQuery): Promise<VersionedView<SubjectSdvProgress>> {
    const streamVersion = await this.store.streamVersion(sourceVerificationStreamId(studyId, subjectId));
    const monitoring = await monitoringOfStudy(this.store, studyId);
    // A subject never screened has no casebook, and so no progress to report (not "0 entries verified").
    if ((await this.store.streamVersion(subjectStreamId(studyId, subjectId))) === 0) notFound('SUBJECT.NOT_FOUND', `No subject ${subjectId} in study ${studyId}`, { studyId, subjectId });
    return { view: subjectSdvProgress(monitoring, subjectId), streamVersion };
  }
}
