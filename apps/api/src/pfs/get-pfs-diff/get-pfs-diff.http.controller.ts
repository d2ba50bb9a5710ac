import { Controller, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { PfsDiff } from '@trial-ledger/pfs';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { StudyPathParams } from '../../shared/routing/path-params.dto';
import { defineRoute } from '../../shared/routing/route-rule';
import { QUERY_ROLES } from '@trial-ledger/domain';
import { PfsDiffQueryDto } from './get-pfs-diff.request.dto';
import { GetPfsDiffQuery } from './get-pfs-diff.query-handler';

export const GET_PFS_DIFF_ROUTE = defineRoute({
  operation: 'GetPfsDiff',
  method: 'GET',
  path: 'api/v1/studies/:studyId/pfs/diff',
  roles: QUERY_ROLES.GetPfsDiff,
  summary: 'Endpoint provenance: the subjects whose PFS moved between two analyses (knowledge times, positions or data cuts) and the events that moved them',
});

@ApiTags('pfs')
@Controller()
export class GetPfsDiffHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @LedgerRoute(GET_PFS_DIFF_ROUTE)
  @ApiOkResponse({ description: '{ studyId, from, to, verdict, subjects[{ before, after, causes }], studyCauses, rowRulesAmended, before, after, delta }' })
  getPfsDiff(@Param() path: StudyPathParams, @Query() q: PfsDiffQueryDto): Promise<PfsDiff> {
    return this.queryBus.execute(
      new GetPfsDiffQuery(path.studyId, {
        fromKnownAt: q.fromKnownAt ?? null,
        toKnownAt: q.toKnownAt ?? null,
        fromPosition: q.fromPosition ?? null,
        toPosition: q.toPosition ?? null,
        cutoff: q.cutoff ?? null,
        fromCutoff: q.fromCutoff ?? null,
        toCutoff: q.toCutoff ?? null,
      }),
    );
  }
}
