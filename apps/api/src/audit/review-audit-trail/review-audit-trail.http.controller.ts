import { Controller, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuditTrailReview } from '@trial-ledger/audit';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { StudyPathParams } from '../../shared/routing/path-params.dto';
import { defineRoute } from '../../shared/routing/route-rule';
import { QUERY_ROLES } from '@trial-ledger/domain';
import { ReviewAuditTrailQuery } from './review-audit-trail.query-handler';
import { ReviewAuditTrailQueryDto } from './review-audit-trail.request.dto';

export const REVIEW_AUDIT_TRAIL_ROUTE = defineRoute({
  operation: 'ReviewAuditTrail',
  method: 'GET',
  path: 'api/v1/studies/:studyId/audit-trail/review',
  roles: QUERY_ROLES.ReviewAuditTrail,
  summary: 'Risk-based audit-trail review: indicators per user and per subject, each finding naming its events',
});

@ApiTags('audit')
@Controller()
export class ReviewAuditTrailHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @LedgerRoute(REVIEW_AUDIT_TRAIL_ROUTE)
  @ApiOkResponse({ description: '{ studyId, from, to, position, thresholds, dataCuts, verdict, indicators[{ id, title, definition, findings }], users, subjects }' })
  review(@Param() path: StudyPathParams, @Query() q: ReviewAuditTrailQueryDto): Promise<AuditTrailReview> {
    const dataCuts = (q.dataCut ?? []).map((cut) => ({ cutoff: cut.slice(0, cut.indexOf('@')), analysedAt: cut.slice(cut.indexOf('@') + 1) }));
    return this.queryBus.execute(
      new ReviewAuditTrailQuery({ studyId: path.studyId, ...(q.from !== undefined ? { from: q.from } : {}), ...(q.to !== undefined ? { to: q.to } : {}), dataCuts }),
    );
  }
}
