import { Controller, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { StudyPathParams } from '../../shared/routing/path-params.dto';
import { defineRoute } from '../../shared/routing/route-rule';
import { AsOfQueryDto } from '../as-of.query.dto';
import { GetStudyOverviewQuery, type StudyOverviewView } from './get-study-overview.query-handler';
import { QUERY_ROLES } from '@trial-ledger/domain';

export const GET_STUDY_OVERVIEW_ROUTE = defineRoute({
  operation: 'GetStudyOverview',
  method: 'GET',
  path: 'api/v1/studies/:studyId/overview',
  roles: QUERY_ROLES.GetStudyOverview,
  summary: 'Enrollment against target, subject status counts, dosing compliance, deviations by category and severity',
});

@ApiTags('read models')
@Controller()
export class GetStudyOverviewHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @LedgerRoute(GET_STUDY_OVERVIEW_ROUTE)
  @ApiOkResponse({ description: '`{ asOf: { position, asKnownAt }, overview }`.' })
  getOverview(@Param() path: StudyPathParams, @Query() query: AsOfQueryDto): Promise<StudyOverviewView> {
    return this.queryBus.execute(new GetStudyOverviewQuery(path.studyId, query.asKnownAt ?? null, query.position ?? null, query.minPosition ?? null));
  }
}
