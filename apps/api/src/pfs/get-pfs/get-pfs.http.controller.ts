import { Controller, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { QUERY_ROLES } from '@trial-ledger/domain';
import type { PfsAnalysis } from '@trial-ledger/pfs';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { StudyPathParams } from '../../shared/routing/path-params.dto';
import { defineRoute } from '../../shared/routing/route-rule';
import { PfsQueryDto } from './get-pfs.request.dto';
import { GetPfsQuery } from './get-pfs.query-handler';

export const GET_PFS_ROUTE = defineRoute({
  operation: 'GetPfs',
  method: 'GET',
  path: 'api/v1/studies/:studyId/pfs',
  roles: QUERY_ROLES.GetPfs,
  summary: 'PFS analysis: per-subject AVAL/CNSR, Kaplan–Meier (log-log 95 % CI), median and landmark rates (SPEC appendix B)',
});

@ApiTags('pfs')
@Controller()
export class GetPfsHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @LedgerRoute(GET_PFS_ROUTE)
  @ApiOkResponse({ description: 'The document of SPEC appendix B.' })
  getPfs(@Param() path: StudyPathParams, @Query() query: PfsQueryDto): Promise<PfsAnalysis> {
    return this.queryBus.execute(new GetPfsQuery(path.studyId, query.cutoff ?? null, query.asKnownAt ?? null));
  }
}
