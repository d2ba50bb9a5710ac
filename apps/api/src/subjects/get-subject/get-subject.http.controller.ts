import { Controller, Param, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { QUERY_ROLES } from '@trial-ledger/domain';
import type { SubjectCasebook } from '@trial-ledger/projections';
import type { HttpResponse } from '../../shared/http/http.types';
import { withEtag } from '../../shared/queries/versioned-view';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { SubjectPathParams } from '../../shared/routing/path-params.dto';
import { defineRoute } from '../../shared/routing/route-rule';
import { GetSubjectQuery } from './get-subject.query-handler';

export const GET_SUBJECT_ROUTE = defineRoute({
  operation: 'GetSubject',
  method: 'GET',
  path: 'api/v1/studies/:studyId/subjects/:subjectId',
  roles: QUERY_ROLES.GetSubject,
  summary: "The subject's current casebook (ETag = subject stream version, for If-Match on the next command)",
});

@ApiTags('subjects')
@Controller()
export class GetSubjectHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @LedgerRoute(GET_SUBJECT_ROUTE)
  @ApiOkResponse({ description: 'The subject casebook.' })
  async getSubject(@Param() path: SubjectPathParams, @Res({ passthrough: true }) response: HttpResponse): Promise<SubjectCasebook> {
    return withEtag(await this.queryBus.execute(new GetSubjectQuery(path.studyId, path.subjectId)), response);
  }
}
