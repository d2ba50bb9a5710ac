import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { EventStore } from '@trial-ledger/event-store';
import { replaySubject, type ReplayedCasebook } from '@trial-ledger/projections';
import { EVENT_STORE } from '../../shared/tokens';

export class GetCasebookQuery extends Query<ReplayedCasebook> {
  constructor(
    readonly studyId: string,
    readonly subjectId: string,
    readonly asKnownAt: string | null,
    readonly position: number | null,
  ) {
    super();
  }
}

/** "What did the ledger say about subject S at T": one consistent prefix of the log, folded by the casebook projection. */
@QueryHandler(GetCasebookQuery)
export class GetCasebookQueryHandler implements IQueryHandler<GetCasebookQuery, ReplayedCasebook> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  execute({ studyId, subjectId, asKnownAt, position }: GetCasebookQuery): Promise<ReplayedCasebook> {
    return replaySubject(this.store, studyId, subjectId, { asKnownAt, toPosition: position });
  }
}
