import { Controller, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { QUERY_ROLES, type Actor } from '@trial-ledger/domain';
import type { HttpResponse } from '../../shared/http/http.types';
import { EventHistoryPage, EventHistoryQueryDto } from '../../shared/queries/event-history';
import { withEtag } from '../../shared/queries/versioned-view';
import { CurrentActor } from '../../shared/routing/current-actor.decorator';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { StudyPathParams } from '../../shared/routing/path-params.dto';
import { defineRoute } from '../../shared/routing/route-rule';
import { GetStudyEventsQuery } from './get-study-events.query-handler';

export const GET_STUDY_EVENTS_ROUTE = defineRoute({
  operation: 'GetStudyEvents',
  method: 'GET',
  path: 'api/v1/studies/:studyId/events',
  roles: QUERY_ROLES.GetStudyEvents,
  summary: "The study stream's event history as stored (registration, amendments, roster, locks), paginated; admin: without the roster entries",
});

@ApiTags('studies')
@Controller()
export class GetStudyEventsHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @LedgerRoute(GET_STUDY_EVENTS_ROUTE)
  @ApiOkResponse({ type: EventHistoryPage })
  async getStudyEvents(
    @Param() path: StudyPathParams,
    @Query() query: EventHistoryQueryDto,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<EventHistoryPage> {
    return withEtag(await this.queryBus.execute(new GetStudyEventsQuery(path.studyId, query, actor.role)), response);
  }
}
