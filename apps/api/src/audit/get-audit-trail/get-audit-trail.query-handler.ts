import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { auditTrailPage, checkTrailPage, type AuditTrailFilter, type AuditTrailPage } from '@trial-ledger/audit';
import type { EventStore } from '@trial-ledger/event-store';
import { AuditTrailIndexService } from '../../projections/audit-trail-index.service';
import { indexedTrailPage } from '@trial-ledger/audit';
import { EVENT_STORE } from '../../shared/tokens';

export class GetAuditTrailQuery extends Query<AuditTrailPage> {
  constructor(
    readonly filter: AuditTrailFilter,
    readonly page: number,
    readonly pageSize: number,
  ) {
    super();
  }
}

/**
 * A page of the trail at the head of the log: from the audit-trail index (one indexed read, then the
 * page's events), or read from the log if the index does not reach the head within the API's wait
 * for a position. Both give the same rows (a test holds them equal).
 */
@QueryHandler(GetAuditTrailQuery)
export class GetAuditTrailQueryHandler implements IQueryHandler<GetAuditTrailQuery, AuditTrailPage> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly auditIndex: AuditTrailIndexService,
  ) {}

  async execute({ filter, page, pageSize }: GetAuditTrailQuery): Promise<AuditTrailPage> {
    checkTrailPage(page, pageSize);
    const head = (await this.store.head()).position;
    const index = await this.auditIndex.caughtUpTo(head);
    // Either way bound to that head: an event appended while the page is read is in neither answer.
    return index === null ? auditTrailPage(this.store, { ...filter, throughPosition: head }, page, pageSize) : indexedTrailPage(index, this.store, filter, page, pageSize, head);
  }
}
