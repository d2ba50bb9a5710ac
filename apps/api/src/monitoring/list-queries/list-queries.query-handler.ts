import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Clock, EventStore } from '@trial-ledger/event-store';
import { listQueries, queryPage, queryView, type QueryFilter, type QueryPage, type QueryView } from '@trial-ledger/projections';
import { notFound, queryStreamId } from '@trial-ledger/domain';
import type { VersionedView } from '../../shared/queries/versioned-view';
import { CLOCK, EVENT_STORE } from '../../shared/tokens';
import { monitoringOfStudy } from '../monitoring.read-model';

export class ListQueriesQuery extends Query<QueryPage> {
  constructor(
    readonly studyId: string,
    readonly filter: QueryFilter,
    readonly page: number,
    readonly pageSize: number,
  ) {
    super();
  }
}

export class GetQueryQuery extends Query<VersionedView<QueryView>> {
  constructor(readonly studyId: string, readonly queryId: string) {
    super();
  }
}

/** The study's queries with their derived status and age, filtered, one page of them. */
@QueryHandler(ListQueriesQuery)
export class ListQueriesQueryHandler implements IQueryHandler<ListQueriesQuery, QueryPage> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore, @Inject(CLOCK) private readonly clock: Clock) {}

  async execute({ studyId, filter, page, pageSize }: ListQueriesQuery): Promise<QueryPage> {
    return queryPage(listQueries(await monitoringOfStudy(this.store, studyId), this.clock.now(), filter), page, pageSize);
  }
}

/**
 * One query with its whole thread: its own events and every change to its target, in log order; with
 * the version of the query's stream, which its answer, close, reopen and cancel take as `If-Match`. The
 * version is read first: a transition appended meanwhile makes it stale (412), never newer than the view.
 */
@QueryHandler(GetQueryQuery)
export class GetQueryQueryHandler implements IQueryHandler<GetQueryQuery, VersionedView<QueryView>> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore, @Inject(CLOCK) private readonly clock: Clock) {}

  async execute({ studyId, queryId }: GetQueryQuery): Promise<VersionedView<QueryView>> {
    const streamVersion = await this.store.streamVersion(queryStreamId(studyId, queryId));
    const state = await monitoringOfStudy(this.store, studyId);
    const record = state.queries.get(queryId);
    if (!record) return notFound('QUERY.NOT_FOUND', `No query ${queryId} in study ${studyId}`, { queryId });
    return { view: queryView(state, record, this.clock.now()), streamVersion };
  }
}
