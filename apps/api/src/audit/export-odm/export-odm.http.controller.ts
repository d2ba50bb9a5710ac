import { Controller, Inject, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { assertIntactBeforeCopy, exportOdm } from '@trial-ledger/audit';
import { recordDataExport } from '@trial-ledger/command-pipeline';
import type { Clock, EventStore } from '@trial-ledger/event-store';
import type { HttpResponse } from '../../shared/http/http.types';
import { RefusesHead, refuseHeadOfExport, streamingBody } from '../../shared/http/replies';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { defineRoute } from '../../shared/routing/route-rule';
import { API_OPTIONS, CLOCK, EVENT_STORE, type ApiModuleOptions } from '../../shared/tokens';
import { notFound, QUERY_ROLES, studyStreamId, type Actor } from '@trial-ledger/domain';
import { CurrentActor } from '../../shared/routing/current-actor.decorator';

export class ExportOdmQueryDto {
  @ApiPropertyOptional({ description: 'Only this study (default: every study).' })
  @IsOptional()
  @IsString()
  @MinLength(1, { message: '$property must not be empty: leave it out for no filter' })
  @MaxLength(100)
  study?: string;
}

export const EXPORT_ODM_ROUTE = defineRoute({
  operation: 'ExportOdm',
  method: 'GET',
  path: 'api/v1/exports/odm',
  roles: QUERY_ROLES.ExportOdm,
  summary: 'CDISC ODM 1.3.2 transactional XML of the ledger (AuditRecords, Update/Remove, Signatures), streamed',
});

@ApiTags('audit')
@Controller()
export class ExportOdmHttpController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(API_OPTIONS) private readonly options: ApiModuleOptions,
  ) {}

  @LedgerRoute(EXPORT_ODM_ROUTE)
  @RefusesHead()
  @ApiProduces('application/xml')
  @ApiOkResponse({ description: 'ODM 1.3.2 XML (FileType Transactional, Archival Yes).' })
  async exportOdm(@Query() query: ExportOdmQueryDto, @CurrentActor() actor: Actor, @Res() response: HttpResponse): Promise<void> {
    refuseHeadOfExport(response);
    // A mistyped study is refused before anything is recorded; the export is recorded before it is served.
    if (query.study && (await this.store.streamVersion(studyStreamId(query.study))) === 0) notFound('STUDY.NOT_FOUND', `No study ${query.study} in the ledger`, { studyId: query.study });
    // A copy of the record is made of an intact chain only (409 LEDGER.TAMPERED otherwise, nothing recorded).
    await assertIntactBeforeCopy(this.store, this.options.signedCheckpoints);
    const { event } = await recordDataExport(this.store, { kind: 'odm', format: 'xml', channel: 'api', studyId: query.study || null, filter: {} }, { actor, source: 'api' }, { clock: this.clock });
    response.status(200).type('application/xml; charset=utf-8');
    response.header('Content-Disposition', 'attachment; filename="trial-ledger.odm.xml"');
    const body = streamingBody(response);
    await exportOdm(this.store, body, { clock: this.clock, throughPosition: event.throughPosition, ...(query.study ? { studyId: query.study } : {}) });
    body.end();
  }
}
