import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { EventStore } from '@trial-ledger/event-store';
import {
  InMemoryProjectionStore,
  ProjectionRunner,
  SqliteProjectionStore,
  clinicalReadModels,
  type ClinicalDocument,
  type ProjectionStore,
} from '@trial-ledger/projections';
import { EVENT_STORE } from '../shared/tokens';

/**
 * Keeps the clinical read models current while the server runs: a checkpointed catch-up subscription
 * on the ledger feeding the pure projection. With a ledger kept in a local file the read models and their
 * checkpoint live in their own file beside it (`ledger.sqlite.read-models`), so a restart resumes
 * from the checkpoint; otherwise they are kept in memory and rebuilt from position 0 at start.
 */
@Injectable()
export class ReadModelsRunner implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ReadModels');
  private readonly projectionStore: ProjectionStore;
  readonly runner: ProjectionRunner<ClinicalDocument>;
  private failed = false;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {
    this.projectionStore = store.localFile ? new SqliteProjectionStore(`${store.localFile}.read-models`) : new InMemoryProjectionStore();
    this.runner = new ProjectionRunner(store, this.projectionStore, clinicalReadModels, {
      onError: (error) => {
        this.failed = true;
        this.logger.error(`Read models stopped: ${(error as Error).message}`);
      },
    });
  }

  async onModuleInit(): Promise<void> {
    await this.runner.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.runner.stop();
    await this.projectionStore.close();
  }

  /** The read models caught up with the head of the log, or null if the runner has failed (callers replay instead). */
  async current(): Promise<ReadModelsRunner['runner']['documents'] | null> {
    if (this.failed) return null;
    try {
      await this.runner.waitFor((await this.store.head()).position);
      return this.runner.documents;
    } catch {
      return null;
    }
  }
}
