import { Controller, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { renderKmSvg, type PfsAnalysis } from '@trial-ledger/pfs';
import type { HttpResponse } from '../../shared/http/http.types';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { StudyPathParams } from '../../shared/routing/path-params.dto';
import { defineRoute } from '../../shared/routing/route-rule';
import { PfsQueryDto } from '../get-pfs/get-pfs.request.dto';
import { GetPfsQuery } from '../get-pfs/get-pfs.query-handler';
import { QUERY_ROLES } from '@trial-ledger/domain';

export const GET_PFS_PLOT_ROUTE = defineRoute({
  operation: 'GetPfsPlot',
  method: 'GET',
  path: 'api/v1/studies/:studyId/pfs/km.svg',
  roles: QUERY_ROLES.GetPfsPlot,
  summary: 'The Kaplan–Meier curve of the PFS analysis as SVG (confidence band, censoring ticks, median, number at risk)',
});

@ApiTags('pfs')
@Controller()
export class GetPfsPlotHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @LedgerRoute(GET_PFS_PLOT_ROUTE)
  @ApiProduces('image/svg+xml')
  @ApiOkResponse({ description: 'An SVG document.' })
  async getPlot(@Param() path: StudyPathParams, @Query() query: PfsQueryDto, @Res({ passthrough: true }) response: HttpResponse): Promise<string> {
    const analysis: PfsAnalysis = await this.queryBus.execute(new GetPfsQuery(path.studyId, query.cutoff ?? null, query.asKnownAt ?? null));
    response.type('image/svg+xml; charset=utf-8');
    return renderKmSvg(analysis);
  }
}
