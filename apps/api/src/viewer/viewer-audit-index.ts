import { HttpStatus, Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { EventStore } from '@trial-ledger/event-store';
import { AuditTrailIndexer, SqliteAuditTrailIndex, type AuditTrailIndexStore } from '@trial-ledger/projections';
import { MIN_POSITION_WAIT_MS } from '../projections/read-models.runner';
import { ApiProblemException } from '../shared/problem-details/api-problem.exception';
import { EVENT_STORE } from '../shared/tokens';

/** The longest pause between attempts to restart a failed index (a freed disk is noticed within it). */
const MAX_RECOVERY_DELAY_MS = 4_000;

/**
 * The audit-trail index the viewer's trail pages and downloads read: kept while the server runs by a
 * checkpointed subscription, in the read-models file beside a SQLite ledger (`LEDGER.sqlite.read-models`,
 * its own tables), so a restart resumes from the checkpoint; otherwise in an in-memory SQLite database,
 * rebuilt at start.
 */
@Injectable()
export class ViewerAuditIndex implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AuditTrailIndex');
  private readonly indexStore: AuditTrailIndexStore;
  readonly indexer: AuditTrailIndexer;
  private recovery: NodeJS.Timeout | null = null;
  private destroyed = false;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {
    // Other stores: an in-memory SQLite database (indexed, compact), rebuilt at every start.
    this.indexStore = new SqliteAuditTrailIndex(store.localFile ? `${store.localFile}.read-models` : ':memory:');
    this.indexer = new AuditTrailIndexer(store, this.indexStore, {
      flushDelayMs: 200,
      onError: (error) => {
        this.logger.error(`Audit-trail index stopped: ${(error as Error).message}`);
        this.scheduleRecovery();
      },
    });
  }

  async onModuleInit(): Promise<void> {
    await this.indexer.start();
  }

  private scheduleRecovery(delayMs = 1000): void {
    if (this.recovery !== null || this.destroyed) return;
    this.recovery = setTimeout(() => {
      this.recovery = null;
      void this.recover(delayMs);
    }, delayMs);
    this.recovery.unref();
  }

  private async recover(delayMs: number): Promise<void> {
    try {
      await this.indexer.stop().catch(() => undefined);
      if (this.destroyed) return;
      await this.indexer.start();
      await this.indexer.flush();
      this.logger.log('Audit-trail index resumed from its checkpoint');
    } catch (error) {
      this.logger.error(`Audit-trail index still stopped: ${(error as Error).message}`);
      this.scheduleRecovery(Math.min(delayMs * 2, MAX_RECOVERY_DELAY_MS));
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.destroyed = true;
    if (this.recovery !== null) clearTimeout(this.recovery);
    await this.indexer.stop();
    await this.indexStore.close();
  }

  /**
   * The index, once every event up to `position` is in it (a page must show what the log holds up to
   * its bound); 503 `READ_MODEL.NOT_CAUGHT_UP` if that takes longer than the API's wait for a position.
   */
  async readyAt(position: number): Promise<AuditTrailIndexStore> {
    let ready: boolean;
    try {
      ready = await this.indexer.readyAt(position, MIN_POSITION_WAIT_MS);
    } catch {
      ready = false;
    }
    if (!ready) {
      throw new ApiProblemException('READ_MODEL.NOT_CAUGHT_UP', HttpStatus.SERVICE_UNAVAILABLE, `The audit-trail index reached position ${this.indexer.savedPosition}, not yet ${position}; retry shortly`, {
        position: this.indexer.savedPosition,
        retryAfterSeconds: 1,
      });
    }
    return this.indexStore;
  }

  /** The index up to the head of the log now. */
  async atHead(): Promise<{ index: AuditTrailIndexStore; position: number }> {
    const position = (await this.store.head()).position;
    return { index: await this.readyAt(position), position };
  }
}
