import { Controller, Param, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { QUERY_ROLES } from '@trial-ledger/domain';
import type { HttpResponse } from '../../shared/http/http.types';
import { withEtag } from '../../shared/queries/versioned-view';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { StudyPathParams } from '../../shared/routing/path-params.dto';
import { defineRoute } from '../../shared/routing/route-rule';
import { GetStudyQuery, type StudyView } from './get-study.query-handler';

/** Study set-up is not clinical data: every role may read it (admins set it up, auditors review it). */
export const GET_STUDY_ROUTE = defineRoute({
  operation: 'GetStudy',
  method: 'GET',
  path: 'api/v1/studies/:studyId',
  roles: QUERY_ROLES.GetStudy,
  summary: 'The study: protocol in force, amendments, enrollment roster, lock state (ETag = study stream version)',
});

@ApiTags('studies')
@Controller()
export class GetStudyHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @LedgerRoute(GET_STUDY_ROUTE)
  @ApiOkResponse({ description: 'The study state.' })
  async getStudy(@Param() path: StudyPathParams, @Res({ passthrough: true }) response: HttpResponse): Promise<StudyView> {
    return withEtag(await this.queryBus.execute(new GetStudyQuery(path.studyId)), response);
  }
}
