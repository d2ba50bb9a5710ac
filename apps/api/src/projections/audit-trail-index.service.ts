import { HttpStatus, Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { SIDE_FILE_BUSY_MS, type EventStore } from '@trial-ledger/event-store';
import { AuditTrailIndexer, auditIndexFileOf, claimSideFileWriter, ReadModelsAlteredError, SqliteAuditTrailIndex, type AuditTrailIndexStore, type SideFileWriter } from '@trial-ledger/projections';
import { MIN_POSITION_WAIT_MS, readModelSealKeyOf, unreadableReported } from './read-models.runner';
import { followerFailure, followerFailureCode, RestartWithBackoff } from './restart-with-backoff';
import { ApiProblemException } from '../shared/problem-details/api-problem.exception';
import { API_OPTIONS, EVENT_STORE, type ApiModuleOptions } from '../shared/tokens';

/**
 * The audit-trail index the trail's pages and downloads read (the viewer's and the API's): kept while the server runs by a
 * checkpointed subscription, in its own file beside a SQLite ledger (`LEDGER.sqlite.audit-index`, sealed
 * like the read models), so a restart resumes from the checkpoint; otherwise in an in-memory SQLite
 * database, rebuilt at start. A read of rows found altered outside the server answers as if the index
 * were behind (the API reads the log, the viewer answers 503) while the indexer rebuilds it.
 */
@Injectable()
export class AuditTrailIndexService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AuditTrailIndex');
  private readonly indexStore: AuditTrailIndexStore;
  /** This server's claim to write the index file; null when another server on the ledger writes it (or no file). */
  private readonly fileWriter: SideFileWriter | null;
  readonly indexer: AuditTrailIndexer;
  private readonly recovery: RestartWithBackoff;
  /** The message of the failure the index stopped on, null while it saves. */
  private failure: string | null = null;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore, @Inject(API_OPTIONS) options: ApiModuleOptions) {
    // Its own file, so that a commit by any other connection is one to check (SQLite's data_version);
    // other stores, and a second server on the same SQLite ledger (one writer per file, whose seal it keeps):
    // an in-memory SQLite database (indexed, compact), rebuilt at every start.
    const file = store.localFile ? auditIndexFileOf(store.localFile) : null;
    this.fileWriter = file === null ? null : claimSideFileWriter(file);
    if (file !== null && this.fileWriter === null) this.logger.warn({ code: 'AUDIT.INDEX_IN_MEMORY' }, `Another server on this ledger writes ${file}: this one keeps its audit-trail index in memory, built from the log AUDIT.INDEX_IN_MEMORY`);
    this.indexStore = this.fileWriter
      ? new SqliteAuditTrailIndex(file!, { sealKey: readModelSealKeyOf(options), onUnreadable: unreadableReported(this.logger), lockWaitMs: SIDE_FILE_BUSY_MS })
      : new SqliteAuditTrailIndex(':memory:');
    this.indexer = new AuditTrailIndexer(store, this.indexStore, {
      flushDelayMs: 200,
      onAltered: () => this.logger.error({ code: 'AUDIT.INDEX_ALTERED' }, 'The audit-trail index was altered outside the server (its seal does not match): discarded, rebuilding from the log AUDIT.INDEX_ALTERED'),
      onError: (error) => {
        // Logged once per failure (a save retried every poll on a failing disk would otherwise log each time).
        const message = (error as Error).message;
        if (this.failure !== message) this.logger.error({ code: followerFailureCode(error) }, followerFailure('Audit-trail index stopped', error));
        this.failure = message;
        this.recovery.schedule();
      },
    });
    this.recovery = new RestartWithBackoff(this.indexer, this.logger, 'Audit-trail index', () => {
      this.failure = null;
    });
  }

  /** Readiness: false from a failed save (a failing or full disk, a lock held elsewhere) until a restart from the checkpoint has saved again. */
  get healthy(): boolean {
    return this.failure === null;
  }

  async onModuleInit(): Promise<void> {
    await this.indexer.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.recovery.cancel();
    await this.indexer.stop();
    await this.indexStore.close();
    this.fileWriter?.release();
  }

  /**
   * The index, once every event up to `position` is in it (a page must show what the log holds up to
   * its bound); 503 `READ_MODEL.NOT_CAUGHT_UP` if that takes longer than the API's wait for a position.
   */
  async readyAt(position: number): Promise<AuditTrailIndexStore> {
    const index = await this.caughtUpTo(position);
    if (index === null) {
      throw new ApiProblemException('READ_MODEL.NOT_CAUGHT_UP', HttpStatus.SERVICE_UNAVAILABLE, `The audit-trail index reached position ${this.indexer.savedPosition}, not yet ${position}; retry shortly`, {
        position: this.indexer.savedPosition,
        retryAfterSeconds: 1,
      });
    }
    return index;
  }

  /** The index once it holds every event up to `position`, or null if it does not within the API's wait for a position. */
  async caughtUpTo(position: number): Promise<AuditTrailIndexStore | null> {
    try {
      if (!(await this.indexer.readyAt(position, MIN_POSITION_WAIT_MS))) return null;
      await this.indexStore.assertIntact();
      return this.indexStore;
    } catch (error) {
      if (error instanceof ReadModelsAlteredError) {
        this.logger.error({ code: 'AUDIT.INDEX_ALTERED' }, `${error.message}: rebuilding it from the log; until then trails are read from the log AUDIT.INDEX_ALTERED`);
        this.recovery.schedule(0);
      }
      return null;
    }
  }

  /** The index up to the head of the log now. */
  async atHead(): Promise<{ index: AuditTrailIndexStore; position: number }> {
    const position = (await this.store.head()).position;
    return { index: await this.readyAt(position), position };
  }
}
