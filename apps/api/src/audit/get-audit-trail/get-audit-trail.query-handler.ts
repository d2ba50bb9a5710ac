import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { auditTrailPage, type AuditTrailFilter, type AuditTrailPage } from '@trial-ledger/audit';
import type { EventStore } from '@trial-ledger/event-store';
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

@QueryHandler(GetAuditTrailQuery)
export class GetAuditTrailQueryHandler implements IQueryHandler<GetAuditTrailQuery, AuditTrailPage> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  execute({ filter, page, pageSize }: GetAuditTrailQuery): Promise<AuditTrailPage> {
    return auditTrailPage(this.store, filter, page, pageSize);
  }
}
