import { HttpStatus, Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { SIDE_FILE_BUSY_MS, type EventStore } from '@trial-ledger/event-store';
import {
  InMemoryProjectionStore,
  ProjectionRunner,
  SqliteProjectionStore,
  claimSideFileWriter,
  clinicalReadModels,
  readModelSealKey,
  type ClinicalDocument,
  type ClinicalState,
  type ProjectionStore,
  type SideFileWriter,
} from '@trial-ledger/projections';
import { ApiProblemException } from '../shared/problem-details/api-problem.exception';
import { API_OPTIONS, EVENT_STORE, type ApiModuleOptions } from '../shared/tokens';
import { followerFailure, followerFailureCode, RestartWithBackoff } from './restart-with-backoff';

/** How long a query with `minPosition` waits for the read models to fold its client's write. */
export const MIN_POSITION_WAIT_MS = 5_000;

/** The read models as they stand, and the log position they were folded to. */
export interface ReadModelsAt {
  readonly documents: ClinicalState;
  readonly position: number;
}

/**
 * The key that seals the read models saved beside a SQLite ledger, derived from the server's session
 * seal key (`serve` keeps it in the key directory); none for an app built without one (tests).
 */
export const readModelSealKeyOf = (options: ApiModuleOptions): Buffer | undefined => (options.sessionSealKey ? readModelSealKey(options.sessionSealKey) : undefined);

/** What a server says when a read-model file is no SQLite database: it is replaced and rebuilt, the ledger is untouched. */
export const unreadableReported =
  (logger: Logger) =>
  (file: string, error: Error): void =>
    logger.error({ code: 'READ_MODEL.UNREADABLE' }, `${file} is not a SQLite database (${error.message}): discarded, rebuilding from the log (the ledger itself is not affected) READ_MODEL.UNREADABLE`);

/**
 * Keeps the clinical read models current while the server runs: a checkpointed catch-up subscription
 * on the ledger feeding the pure projection. With a ledger kept in a local file the read models and their
 * checkpoint live in their own file beside it (`ledger.sqlite.read-models`), so a restart resumes
 * from the checkpoint; otherwise they are kept in memory and rebuilt from position 0 at start.
 *
 * Commands never wait for them (read → decide → append; the answer carries the position). A query
 * answers from the read models as they stand; one that must see its client's own write passes that
 * position (`?minPosition=`) and waits for that position only, at most `MIN_POSITION_WAIT_MS`.
 */
@Injectable()
export class ReadModelsRunner implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ReadModels');
  private readonly projectionStore: ProjectionStore;
  /** This server's claim to write the read-model file; null when another server on the ledger writes it (or no file). */
  private readonly fileWriter: SideFileWriter | null;
  readonly runner: ProjectionRunner<ClinicalDocument>;
  private failed = false;
  private readonly recovery: RestartWithBackoff;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore, @Inject(API_OPTIONS) options: ApiModuleOptions) {
    // One writer per file: a second server on the same SQLite ledger folds its own copy in memory.
    const file = store.localFile ? `${store.localFile}.read-models` : null;
    this.fileWriter = file === null ? null : claimSideFileWriter(file);
    if (file !== null && this.fileWriter === null) this.logger.warn({ code: 'READ_MODEL.IN_MEMORY' }, `Another server on this ledger writes ${file}: this one keeps its read models in memory, folded from the log READ_MODEL.IN_MEMORY`);
    this.projectionStore = this.fileWriter
      ? new SqliteProjectionStore(file!, { sealKey: readModelSealKeyOf(options), onUnreadable: unreadableReported(this.logger), lockWaitMs: SIDE_FILE_BUSY_MS })
      : new InMemoryProjectionStore();
    this.runner = new ProjectionRunner(store, this.projectionStore, clinicalReadModels, {
      flushDelayMs: 200,
      onAltered: () => this.logger.error({ code: 'READ_MODEL.ALTERED' }, 'The saved read models were altered outside the server (their seal does not match): discarded, rebuilding from the log READ_MODEL.ALTERED'),
      onError: (error) => {
        if (!this.failed) this.logger.error({ code: followerFailureCode(error) }, followerFailure('Read models stopped', error));
        this.failed = true;
        this.recovery.schedule();
      },
    });
    // A read model that could not be saved (a full disk) or whose subscription failed restarts from its checkpoint.
    this.recovery = new RestartWithBackoff(this.runner, this.logger, 'Read models', () => {
      this.failed = false;
    });
  }

  async onModuleInit(): Promise<void> {
    await this.runner.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.recovery.cancel();
    await this.runner.stop();
    await this.projectionStore.close();
    this.fileWriter?.release();
  }

  /** Readiness: true when the read models have folded the head of the log within `timeoutMs`. */
  async caughtUp(timeoutMs: number): Promise<boolean> {
    if (this.failed) return false;
    try {
      return await this.runner.waitUntilFolded((await this.store.head()).position, timeoutMs);
    } catch {
      return false;
    }
  }

  /**
   * The read models once they have folded the head of the log as it is now (a reader that must see
   * every acknowledged write, e.g. the PFS analysis); null when the runner has failed or does not reach
   * the head within `MIN_POSITION_WAIT_MS` (a server still folding a large ledger): callers then fold
   * the streams they need from the log.
   */
  async atHead(): Promise<ReadModelsAt | null> {
    if (this.failed) return null;
    const head = (await this.store.head()).position;
    try {
      if (!(await this.runner.waitUntilFolded(head, MIN_POSITION_WAIT_MS))) return null;
    } catch {
      return null;
    }
    return this.failed ? null : { documents: this.runner.documents, position: this.runner.currentPosition };
  }

  /**
   * The read models, once they have folded `minPosition` (if given); null if the runner has failed
   * (callers then fold the streams they need from the log). A position beyond the head of the log is
   * refused (400 `QUERY.MIN_POSITION_BEYOND_HEAD`); one not folded in time answers 503
   * `READ_MODEL.NOT_CAUGHT_UP` (with `retryAfterSeconds`).
   */
  async at(minPosition: number | null): Promise<ReadModelsAt | null> {
    if (this.failed) return null;
    if (minPosition !== null && minPosition > this.runner.currentPosition) {
      const head = (await this.store.head()).position;
      if (minPosition > head) {
        throw new ApiProblemException('QUERY.MIN_POSITION_BEYOND_HEAD', HttpStatus.BAD_REQUEST, `minPosition ${minPosition} lies beyond the head of the log (${head})`, {
          minPosition,
          headPosition: head,
        });
      }
      let folded: boolean;
      try {
        folded = await this.runner.waitUntilFolded(minPosition, MIN_POSITION_WAIT_MS);
      } catch {
        return null;
      }
      if (!folded) {
        throw new ApiProblemException(
          'READ_MODEL.NOT_CAUGHT_UP',
          HttpStatus.SERVICE_UNAVAILABLE,
          `The read models reached position ${this.runner.currentPosition}, not yet ${minPosition}; retry shortly`,
          { minPosition, position: this.runner.currentPosition, retryAfterSeconds: 1 },
        );
      }
    }
    return { documents: this.runner.documents, position: this.runner.currentPosition };
  }
}
