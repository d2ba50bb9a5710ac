import { Inject, Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { EventStore } from '@trial-ledger/event-store';
import { clinicalReadModelsAt, resolveAsOf, type ClinicalState } from '@trial-ledger/projections';
import { VerifyLedgerQuery, type LedgerVerificationReport } from '../audit/verify-ledger/verify-ledger.query-handler';
import { ReadModelsRunner } from '../projections/read-models.runner';
import { EVENT_STORE } from '../shared/tokens';

/** The clinical read models a page renders from, and where in the log they stand. */
export interface ViewerState {
  readonly documents: ClinicalState;
  readonly position: number;
  /** The instant asked for (normalised to UTC), or null for the current page. */
  readonly asKnownAt: string | null;
}

/** How many past states are kept: a reader moving between pages at one instant folds the log once. */
const PAST_STATES_KEPT = 4;

/**
 * Where the viewer's pages get their data: the server's read models as they stand for the current
 * page, and for `?asKnownAt=` the same projection folded over the log up to the position known then
 * (kept for the next pages at that position: the log below a position never changes).
 */
@Injectable()
export class ViewerReadModels {
  private readonly past = new Map<number, ClinicalState>();
  private lastVerification: { position: number; report: LedgerVerificationReport } | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModels: ReadModelsRunner,
    private readonly queryBus: QueryBus,
  ) {}

  async at(asKnownAt: string | null): Promise<ViewerState> {
    if (asKnownAt === null) {
      const current = await this.readModels.at(null);
      if (current !== null) return { documents: current.documents, position: current.position, asKnownAt: null };
    }
    const resolved = await resolveAsOf(this.store, { asKnownAt });
    let documents = this.past.get(resolved.position);
    if (documents === undefined) {
      documents = (await clinicalReadModelsAt(this.store, { toPosition: resolved.position })).state;
      if (this.past.size >= PAST_STATES_KEPT) this.past.delete(this.past.keys().next().value as number);
      this.past.set(resolved.position, documents);
    }
    return { documents, position: resolved.position, asKnownAt: resolved.asKnownAt };
  }

  /** The chain's verification, recomputed only when the log has grown since the last one. */
  async verification(): Promise<LedgerVerificationReport> {
    const head = (await this.store.head()).position;
    if (this.lastVerification?.position !== head) {
      const report = await this.queryBus.execute(new VerifyLedgerQuery());
      this.lastVerification = { position: report.headPosition, report };
      return report;
    }
    return this.lastVerification.report;
  }
}
