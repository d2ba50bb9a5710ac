import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Clock, EventStore } from '@trial-ledger/event-store';
import { casebookMonitoring, replayMonitoring, replaySubject, type CasebookMonitoring, type ReplayedCasebook } from '@trial-ledger/projections';
import { CLOCK, EVENT_STORE } from '../../shared/tokens';

/** The casebook with each entry's queries and SDV state (joined here from the monitoring read model). */
export type CasebookWithMonitoring = ReplayedCasebook & { readonly monitoring: CasebookMonitoring };

export class GetCasebookQuery extends Query<CasebookWithMonitoring> {
  constructor(
    readonly studyId: string,
    readonly subjectId: string,
    readonly asKnownAt: string | null,
    readonly position: number | null,
  ) {
    super();
  }
}

/** "What did the ledger say about subject S at T": one consistent prefix of the log, folded by the casebook projection. */
@QueryHandler(GetCasebookQuery)
export class GetCasebookQueryHandler implements IQueryHandler<GetCasebookQuery, CasebookWithMonitoring> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore, @Inject(CLOCK) private readonly clock: Clock) {}

  async execute({ studyId, subjectId, asKnownAt, position }: GetCasebookQuery): Promise<CasebookWithMonitoring> {
    const replayed = await replaySubject(this.store, studyId, subjectId, { asKnownAt, toPosition: position });
    // Queries and SDV as of the same log position as the casebook.
    const monitoring = await replayMonitoring(this.store, studyId, replayed.asOf.position);
    return { ...replayed, monitoring: casebookMonitoring(monitoring, subjectId, this.clock.now()) };
  }
}
