import { Controller, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { QUERY_ROLES } from '@trial-ledger/domain';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { SubjectPathParams } from '../../shared/routing/path-params.dto';
import { defineRoute } from '../../shared/routing/route-rule';
import { AsOfQueryDto } from '../as-of.query.dto';
import { GetCasebookQuery, type CasebookWithMonitoring } from './get-casebook.query-handler';

export const GET_CASEBOOK_ROUTE = defineRoute({
  operation: 'GetCasebook',
  method: 'GET',
  path: 'api/v1/studies/:studyId/subjects/:subjectId/casebook',
  roles: QUERY_ROLES.GetCasebook,
  summary: 'The subject casebook as the ledger knew it at a recording instant or log position (bitemporal replay)',
});

@ApiTags('read models')
@Controller()
export class GetCasebookHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @LedgerRoute(GET_CASEBOOK_ROUTE)
  @ApiOkResponse({ description: '`{ asOf: { position, asKnownAt }, casebook }`.' })
  getCasebook(@Param() path: SubjectPathParams, @Query() query: AsOfQueryDto): Promise<CasebookWithMonitoring> {
    return this.queryBus.execute(new GetCasebookQuery(path.studyId, path.subjectId, query.asKnownAt ?? null, query.position ?? null, query.minPosition ?? null));
  }
}
