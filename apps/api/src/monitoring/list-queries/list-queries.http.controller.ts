import { Controller, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { MONITORING_READ_ROLES } from '@trial-ledger/domain';
import { QUERY_PAGE_SIZE, type QueryPage, type QueryView } from '@trial-ledger/projections';
import type { HttpResponse } from '../../shared/http/http.types';
import { withEtag } from '../../shared/queries/versioned-view';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { StudyPathParams } from '../../shared/routing/path-params.dto';
import { defineRoute } from '../../shared/routing/route-rule';
import { QueryPathParams } from '../monitoring-path-params.dto';
import { GetQueryQuery, ListQueriesQuery } from './list-queries.query-handler';
import { ListQueriesRequestDto } from './list-queries.request.dto';

export const LIST_QUERIES_ROUTE = defineRoute({
  operation: 'ListQueries',
  method: 'GET',
  path: 'api/v1/studies/:studyId/queries',
  roles: MONITORING_READ_ROLES,
  summary: 'The study\'s queries with status (open, answered, closed, closed-modified, cancelled) and age; filters status, subject, minAgeDays, openedBy; paged (page, pageSize)',
});
export const GET_QUERY_ROUTE = defineRoute({
  operation: 'GetQuery',
  method: 'GET',
  path: 'api/v1/studies/:studyId/queries/:queryId',
  roles: MONITORING_READ_ROLES,
  summary: "One query's thread: its events and the corrections and voids of its target",
});

@ApiTags('monitoring')
@Controller()
export class ListQueriesHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @LedgerRoute(LIST_QUERIES_ROUTE)
  @ApiOkResponse({ description: '`{ queries: [...], page, pageSize, hasMore }`, oldest first, as the audit trail pages.' })
  list(@Param() path: StudyPathParams, @Query() query: ListQueriesRequestDto): Promise<QueryPage> {
    const filter = { status: query.status, subjectId: query.subject, minAgeDays: query.minAgeDays, openedBy: query.openedBy };
    return this.queryBus.execute(new ListQueriesQuery(path.studyId, filter, query.page ?? 1, query.pageSize ?? QUERY_PAGE_SIZE));
  }

  @LedgerRoute(GET_QUERY_ROUTE)
  @ApiOkResponse({ description: 'The query with its status, age and thread.' })
  async get(@Param() path: QueryPathParams, @Res({ passthrough: true }) response: HttpResponse): Promise<QueryView> {
    return withEtag(await this.queryBus.execute(new GetQueryQuery(path.studyId, path.queryId)), response);
  }
}
