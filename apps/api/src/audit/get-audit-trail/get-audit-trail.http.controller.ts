import { Controller, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuditTrailPage } from '@trial-ledger/audit';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { defineRoute } from '../../shared/routing/route-rule';
import { GetAuditTrailQuery } from './get-audit-trail.query-handler';
import { GetAuditTrailQueryDto, toTrailFilter } from './get-audit-trail.request.dto';
import { QUERY_ROLES } from '@trial-ledger/domain';

export const GET_AUDIT_TRAIL_ROUTE = defineRoute({
  operation: 'GetAuditTrail',
  method: 'GET',
  path: 'api/v1/audit-trail',
  roles: QUERY_ROLES.GetAuditTrail,
  summary: 'The audit trail (who, when, what; corrections with before/after and reason), oldest first, paginated',
});

@ApiTags('audit')
@Controller()
export class GetAuditTrailHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @LedgerRoute(GET_AUDIT_TRAIL_ROUTE)
  @ApiOkResponse({ description: '{ items, page, pageSize, hasMore }; password hashes are never included.' })
  getAuditTrail(@Query() query: GetAuditTrailQueryDto): Promise<AuditTrailPage> {
    return this.queryBus.execute(new GetAuditTrailQuery(toTrailFilter(query), query.page ?? 1, query.pageSize ?? 100));
  }
}
