import { Controller, Param, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { QUERY_ROLES, type Actor } from '@trial-ledger/domain';
import type { HttpResponse } from '../../shared/http/http.types';
import { withEtag } from '../../shared/queries/versioned-view';
import { CurrentActor } from '../../shared/routing/current-actor.decorator';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { StudyPathParams } from '../../shared/routing/path-params.dto';
import { defineRoute } from '../../shared/routing/route-rule';
import { GetStudyQuery, type StudyView } from './get-study.query-handler';

/**
 * Study set-up is not clinical data: every role may read it (admins set it up, auditors review it). The
 * roster is: the administrator gets the set-up view (protocol, amendments, lock state; no roster).
 */
export const GET_STUDY_ROUTE = defineRoute({
  operation: 'GetStudy',
  method: 'GET',
  path: 'api/v1/studies/:studyId',
  roles: QUERY_ROLES.GetStudy,
  summary: 'The study: protocol in force, amendments, enrollment roster, lock state (ETag = study stream version); admin: without the roster',
});

@ApiTags('studies')
@Controller()
export class GetStudyHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @LedgerRoute(GET_STUDY_ROUTE)
  @ApiOkResponse({ description: 'The study state; for the administrator without `roster` (subject ids and enrollment dates are clinical data).' })
  async getStudy(@Param() path: StudyPathParams, @CurrentActor() actor: Actor, @Res({ passthrough: true }) response: HttpResponse): Promise<StudyView> {
    return withEtag(await this.queryBus.execute(new GetStudyQuery(path.studyId, actor.role)), response);
  }
}
