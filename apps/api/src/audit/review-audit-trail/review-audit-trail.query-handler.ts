import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { reviewAuditTrail, type AuditTrailReview, type ReviewOptions } from '@trial-ledger/audit';
import type { EventStore } from '@trial-ledger/event-store';
import { EVENT_STORE } from '../../shared/tokens';

export class ReviewAuditTrailQuery extends Query<AuditTrailReview> {
  constructor(readonly options: ReviewOptions) {
    super();
  }
}

/**
 * The risk-based review, computed on request. As for `GET /ledger/verification`, signed checkpoints
 * are not consulted here (a regulator anchors the trail offline with `trial-ledger audit-trail review
 * --checkpoints … --public-key …`), so the trail-integrity indicator reports the trail unanchored.
 */
@QueryHandler(ReviewAuditTrailQuery)
export class ReviewAuditTrailQueryHandler implements IQueryHandler<ReviewAuditTrailQuery, AuditTrailReview> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  execute({ options }: ReviewAuditTrailQuery): Promise<AuditTrailReview> {
    return reviewAuditTrail(this.store, options);
  }
}
