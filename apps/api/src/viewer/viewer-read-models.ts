import { Inject, Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { EventStore } from '@trial-ledger/event-store';
import { studyStreamId, subjectStreamId } from '@trial-ledger/domain';
import { clinicalReadModels, clinicalReadModelsAt, foldProjection, resolveAsOf, toProjected, type ClinicalState } from '@trial-ledger/projections';
import { VerifyLedgerQuery, type LedgerVerificationReport } from '../audit/verify-ledger/verify-ledger.query-handler';
import { ReadModelsRunner } from '../projections/read-models.runner';
import { EVENT_STORE } from '../shared/tokens';

/** Where in the log a page stands. */
export interface ViewerPosition {
  readonly position: number;
  /** The instant asked for (normalised to UTC), or null for the current page. */
  readonly asKnownAt: string | null;
}

/** The clinical read models a page renders from, and where in the log they stand. */
export interface ViewerState extends ViewerPosition {
  readonly documents: ClinicalState;
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

  /** Where a page stands: the head of the log now, or the last position recorded at or before `asKnownAt`. */
  async resolve(asKnownAt: string | null): Promise<ViewerPosition> {
    return resolveAsOf(this.store, { asKnownAt });
  }

  /**
   * One subject's page as known at a position: only the study stream and the subject's own streams are
   * folded up to it (not the log), by the projection that keeps the live casebook.
   */
  async subjectAt(asKnownAt: string, studyId: string, subjectId: string): Promise<ViewerState> {
    const resolved = await resolveAsOf(this.store, { asKnownAt });
    const [study, subject] = await Promise.all([
      this.store.readStream(studyStreamId(studyId), { toPosition: resolved.position }),
      this.store.readStream(subjectStreamId(studyId, subjectId), { toPosition: resolved.position }),
    ]);
    const events = [...study, ...subject].sort((a, b) => a.globalPosition - b.globalPosition).map(toProjected);
    return { documents: foldProjection(clinicalReadModels, events), position: resolved.position, asKnownAt: resolved.asKnownAt };
  }

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
