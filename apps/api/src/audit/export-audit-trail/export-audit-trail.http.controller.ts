import { Controller, Inject, Query, Res } from '@nestjs/common';
import { recordDataExport } from '@trial-ledger/command-pipeline';
import type { Actor } from '@trial-ledger/domain';
import { ApiOkResponse, ApiProduces, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { assertIntactBeforeCopy, assertTrailScopeKnown, auditTrail, trailWindow, writeAuditTrail, type AuditTrailFormat } from '@trial-ledger/audit';
import type { Clock, EventStore } from '@trial-ledger/event-store';
import type { HttpResponse } from '../../shared/http/http.types';
import { RefusesHead, refuseHeadOfExport, streamingBody } from '../../shared/http/replies';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { defineRoute } from '../../shared/routing/route-rule';
import { CurrentActor } from '../../shared/routing/current-actor.decorator';
import { AuditTrailIndexService } from '../../projections/audit-trail-index.service';
import { indexedTrailRows, indexQueryOfTrailFilter } from '@trial-ledger/audit';
import { API_OPTIONS, CLOCK, EVENT_STORE, type ApiModuleOptions } from '../../shared/tokens';
import { AuditTrailFilterQueryDto, toTrailFilter } from '../get-audit-trail/get-audit-trail.request.dto';
import { QUERY_ROLES } from '@trial-ledger/domain';

export class ExportAuditTrailQueryDto extends AuditTrailFilterQueryDto {
  @ApiProperty({ enum: ['csv', 'json'] })
  @IsIn(['csv', 'json'], { message: '$property must be csv or json' })
  format!: AuditTrailFormat;
}

/** The conditions given, by name (absent ones left out of the record). */
export const definedOnly = (conditions: Readonly<Record<string, unknown>>): Record<string, string> =>
  Object.fromEntries(Object.entries(conditions).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));

export const EXPORT_AUDIT_TRAIL_ROUTE = defineRoute({
  operation: 'ExportAuditTrail',
  method: 'GET',
  path: 'api/v1/exports/audit-trail',
  roles: QUERY_ROLES.ExportAuditTrail,
  summary: 'The whole (or filtered) audit trail as CSV or a JSON array, streamed',
});

@ApiTags('audit')
@Controller()
export class ExportAuditTrailHttpController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly auditIndex: AuditTrailIndexService,
    @Inject(API_OPTIONS) private readonly options: ApiModuleOptions,
  ) {}

  @LedgerRoute(EXPORT_AUDIT_TRAIL_ROUTE)
  @RefusesHead()
  @ApiProduces('text/csv', 'application/json')
  @ApiOkResponse({ description: 'CSV with a header row, or a JSON array of audit-trail rows.' })
  async exportAuditTrail(@Query() query: ExportAuditTrailQueryDto, @CurrentActor() actor: Actor, @Res() response: HttpResponse): Promise<void> {
    refuseHeadOfExport(response);
    // Checked before the record and the first byte: once streaming has begun, a problem can no longer be reported.
    const filter = toTrailFilter(query);
    trailWindow(filter);
    const { study, format: _format, ...conditions } = query;
    // A mistyped study, subject or user: 404 before anything is recorded, as the report refuses it (the GET query answers an empty page).
    await assertTrailScopeKnown(this.store, { ...(study !== undefined ? { studyId: study } : {}), ...(query.subject !== undefined ? { subjectId: query.subject } : {}), ...(query.user !== undefined ? { user: query.user } : {}) });
    // A copy of the record is made of an intact chain only (409 LEDGER.TAMPERED otherwise, nothing recorded).
    await assertIntactBeforeCopy(this.store, this.options.signedCheckpoints);
    // Recorded (`DataExported`) before it is served, bound to the head of the log now: no record, no export.
    const { event } = await recordDataExport(
      this.store,
      { kind: 'audit-trail', format: query.format, channel: 'api', studyId: study ?? null, filter: definedOnly(conditions) },
      { actor, source: 'api' },
      { clock: this.clock },
    );
    response.status(200).type(query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
    response.header('Content-Disposition', `attachment; filename="audit-trail.${query.format}"`);
    // From the audit-trail index once it holds the recorded bound, else read from the log: the same rows.
    const index = await this.auditIndex.caughtUpTo(event.throughPosition);
    const rows =
      index === null
        ? auditTrail(this.store, { ...filter, throughPosition: event.throughPosition })
        : indexedTrailRows(index, this.store, indexQueryOfTrailFilter(filter, event.throughPosition));
    await writeAuditTrail(rows, streamingBody(response), query.format);
  }
}
