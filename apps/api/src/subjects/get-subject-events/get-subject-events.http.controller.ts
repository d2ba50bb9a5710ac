import { Controller, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { HttpResponse } from '../../shared/http/http.types';
import { EventHistoryPage, EventHistoryQueryDto } from '../../shared/queries/event-history';
import { withEtag } from '../../shared/queries/versioned-view';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { SubjectPathParams } from '../../shared/routing/path-params.dto';
import { defineRoute } from '../../shared/routing/route-rule';
import { GetSubjectEventsQuery } from './get-subject-events.query-handler';
import { QUERY_ROLES } from '@trial-ledger/domain';

export const GET_SUBJECT_EVENTS_ROUTE = defineRoute({
  operation: 'GetSubjectEvents',
  method: 'GET',
  path: 'api/v1/studies/:studyId/subjects/:subjectId/events',
  roles: QUERY_ROLES.GetSubjectEvents,
  summary: "The subject stream's event history as stored (with actor, recordedAt, reason and hash), paginated",
});

@ApiTags('subjects')
@Controller()
export class GetSubjectEventsHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @LedgerRoute(GET_SUBJECT_EVENTS_ROUTE)
  @ApiOkResponse({ type: EventHistoryPage })
  async getSubjectEvents(@Param() path: SubjectPathParams, @Query() query: EventHistoryQueryDto, @Res({ passthrough: true }) response: HttpResponse): Promise<EventHistoryPage> {
    return withEtag(await this.queryBus.execute(new GetSubjectEventsQuery(path.studyId, path.subjectId, query)), response);
  }
}
