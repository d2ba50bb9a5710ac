import { HttpStatus, Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { EventStore } from '@trial-ledger/event-store';
import { AuditTrailIndexer, SqliteAuditTrailIndex, type AuditTrailIndexStore } from '@trial-ledger/projections';
import { MIN_POSITION_WAIT_MS } from './read-models.runner';
import { RestartWithBackoff } from './restart-with-backoff';
import { ApiProblemException } from '../shared/problem-details/api-problem.exception';
import { EVENT_STORE } from '../shared/tokens';

/**
 * The audit-trail index the trail's pages and downloads read (the viewer's and the API's): kept while the server runs by a
 * checkpointed subscription, in the read-models file beside a SQLite ledger (`LEDGER.sqlite.read-models`,
 * its own tables), so a restart resumes from the checkpoint; otherwise in an in-memory SQLite database,
 * rebuilt at start.
 */
@Injectable()
export class AuditTrailIndexService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AuditTrailIndex');
  private readonly indexStore: AuditTrailIndexStore;
  readonly indexer: AuditTrailIndexer;
  private readonly recovery: RestartWithBackoff;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {
    // Other stores: an in-memory SQLite database (indexed, compact), rebuilt at every start.
    this.indexStore = new SqliteAuditTrailIndex(store.localFile ? `${store.localFile}.read-models` : ':memory:');
    this.indexer = new AuditTrailIndexer(store, this.indexStore, {
      flushDelayMs: 200,
      onError: (error) => {
        this.logger.error(`Audit-trail index stopped: ${(error as Error).message}`);
        this.recovery.schedule();
      },
    });
    this.recovery = new RestartWithBackoff(this.indexer, this.logger, 'Audit-trail index');
  }

  async onModuleInit(): Promise<void> {
    await this.indexer.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.recovery.cancel();
    await this.indexer.stop();
    await this.indexStore.close();
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
      return (await this.indexer.readyAt(position, MIN_POSITION_WAIT_MS)) ? this.indexStore : null;
    } catch {
      return null;
    }
  }

  /** The index up to the head of the log now. */
  async atHead(): Promise<{ index: AuditTrailIndexStore; position: number }> {
    const position = (await this.store.head()).position;
    return { index: await this.readyAt(position), position };
  }
}
