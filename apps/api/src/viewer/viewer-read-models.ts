import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { EventStore } from '@trial-ledger/event-store';
import { studyStreamId, subjectStreamId } from '@trial-ledger/domain';
import { clinicalReadModels, clinicalReadModelsAt, foldProjection, resolveAsOf, toProjected, type ClinicalState } from '@trial-ledger/projections';
import { VerifyLedgerQuery, type LedgerVerificationReport } from '../audit/verify-ledger/verify-ledger.query-handler';
import { ReadModelsRunner } from '../projections/read-models.runner';
import { EVENT_STORE } from '../shared/tokens';
import { warmStudyDigests } from './viewer-study-digest';

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

/**
 * How many past states are kept, least recently used dropped first: a reader moving between pages at one instant
 * folds the log once, and one moving between instants folds on from the nearest state kept below each. States share
 * every document an event between them did not replace, so the kept states cost little more than one.
 */
const PAST_STATES_KEPT = 8;

/**
 * Where the viewer's pages get their data: the server's read models as they stand for the current
 * page, and for `?asKnownAt=` the same projection folded over the log up to the position known then
 * (kept for the next pages at that position: the log below a position never changes).
 */
@Injectable()
export class ViewerReadModels implements OnApplicationBootstrap, OnModuleDestroy {
  /** Past states by position, least recently used first. */
  private readonly past = new Map<number, ClinicalState>();
  /** Folds asked for and not yet done, by position: pages at one instant at once wait for the same fold. */
  private readonly folding = new Map<number, Promise<ClinicalState>>();
  /** The last fold queued: one fold of the log at a time, whatever the number of readers or instants asked. */
  private folds: Promise<unknown> = Promise.resolve();
  private lastVerification: { position: number; report: LedgerVerificationReport } | null = null;
  private verifying: Promise<void> | null = null;
  private stopped = false;
  private warmed = false;

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
    return { documents: await this.pastState(resolved.position), position: resolved.position, asKnownAt: resolved.asKnownAt };
  }

  /**
   * The read models at a past position: kept, being folded, or folded now — after the folds already queued, and on
   * from the nearest state kept at or below it (the log below a position never changes). So the work a reader (or a
   * script) can ask for is one fold at a time, each over the events since the nearest kept state, not the whole log
   * per instant.
   */
  private pastState(position: number): Promise<ClinicalState> {
    const kept = this.past.get(position);
    if (kept !== undefined) {
      this.past.delete(position);
      this.past.set(position, kept);
      return Promise.resolve(kept);
    }
    const pending = this.folding.get(position);
    if (pending !== undefined) return pending;
    const fold = this.folds.then(async () => {
      let from: { state: ClinicalState; position: number } | null = null;
      for (const [at, state] of this.past) if (at <= position && at > (from?.position ?? -1)) from = { state, position: at };
      const { state } = await clinicalReadModelsAt(this.store, { toPosition: position, from });
      if (this.past.size >= PAST_STATES_KEPT) this.past.delete(this.past.keys().next().value as number);
      this.past.set(position, state);
      return state;
    });
    this.folding.set(position, fold);
    this.folds = fold.then(
      () => this.folding.delete(position),
      () => this.folding.delete(position),
    );
    return fold;
  }

  /**
   * The chain's verification: the last verdict at once, and — when the log has grown since — a fresh
   * one started in the background (one at a time), so a page never waits on a pass over the whole
   * chain. The verdict names the position it covers; null until the first one is done.
   */
  async verification(): Promise<{ readonly report: LedgerVerificationReport; readonly behindBy: number } | null> {
    const head = (await this.store.head()).position;
    if ((this.lastVerification?.position ?? -1) < head && this.verifying === null) {
      this.verifying = this.queryBus
        .execute(new VerifyLedgerQuery())
        .then((report) => {
          this.lastVerification = { position: report.headPosition, report };
        })
        .catch(() => undefined)
        .finally(() => {
          this.verifying = null;
        });
    }
    return this.lastVerification === null ? null : { report: this.lastVerification.report, behindBy: Math.max(0, head - this.lastVerification.position) };
  }

  onModuleDestroy(): void {
    this.stopped = true;
  }

  /**
   * True once the start-up derivation of the dashboard digests is over (done, or given up because the
   * read models failed): readiness waits for it, so a load balancer sends no page to a server whose first
   * dashboard would still have to derive every subject's digest.
   */
  get isWarm(): boolean {
    return this.warmed;
  }

  /**
   * After start, once the read models have caught up: each study's dashboard digests, derived in the
   * background in small slices (the event loop keeps answering), so the first dashboard does not pay for
   * them. The chain is not verified here: the first page that shows the verdict starts that pass.
   */
  onApplicationBootstrap(): void {
    const warm = async (): Promise<void> => {
      // Once the read models have folded the log as it stood at start (a first start folds it all).
      const head = (await this.store.head()).position;
      while (!(await this.readModels.runner.waitUntilFolded(head, 1_000))) if (this.stopped) return;
      const current = await this.readModels.at(null);
      if (current === null) return;
      for (const key of Object.keys(current.documents)) {
        if (!key.startsWith('study/')) continue;
        for (const _slice of warmStudyDigests(current.documents, key.slice('study/'.length))) {
          if (this.stopped) return;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    };
    setImmediate(
      () =>
        void warm()
          .catch(() => undefined)
          .finally(() => {
            this.warmed = true;
          }),
    );
  }
}
