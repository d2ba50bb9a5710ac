import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { StoreUnavailableError, StoreWriteError, type EventStore, type LogHead, type StoreWriteHealth } from '@trial-ledger/event-store';
import { EVENT_STORE } from '../shared/tokens';

/** How often the write health is looked at, so that a fault (and its end) is logged even when no probe asks. */
const WATCH_INTERVAL_MS = 1_000;

/**
 * The readiness signal: the store answers, and it can write. Read by the health routes; watched on
 * a timer so that each change (a full disk, a replaced ledger file, and the recovery) is logged once.
 */
@Injectable()
export class StoreHealthService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('StoreHealth');
  private last: StoreWriteHealth = { writable: true };
  private timer: NodeJS.Timeout | undefined;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.writeHealth(), WATCH_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** The head of the log if the store is ready; throws the 503 to answer otherwise (`STORE.UNAVAILABLE`, `STORE.DISK_FULL`, …). */
  async ready(): Promise<LogHead> {
    let head: LogHead;
    try {
      head = await this.store.head();
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError('The event store did not answer the health probe', error);
    }
    const write = await this.writeHealth();
    if (!write.writable) throw new StoreWriteError(write.fault ?? 'STORE.IO_ERROR', write.detail ?? 'The event store cannot write');
    return head;
  }

  async writeHealth(): Promise<StoreWriteHealth> {
    const now = (await this.store.writeHealth?.().catch(() => null)) ?? { writable: true };
    if (now.writable !== this.last.writable || now.fault !== this.last.fault) {
      if (now.writable) this.logger.log('The event store takes writes again; ready');
      else this.logger.error(`The event store cannot write (${now.fault ?? 'unknown'}): ${now.detail ?? ''}; not ready`);
    }
    this.last = now;
    return now;
  }
}
