import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { EventStore, StoreWriteHealth } from '@trial-ledger/event-store';
import { withoutSecrets } from '@trial-ledger/config';
import { EVENT_STORE } from '../shared/tokens';

/** How often the write health is looked at, so that a fault (and its end) is logged even when no probe asks. */
const WATCH_INTERVAL_MS = 1_000;

/**
 * Whether the store can write, for readiness (`StoreHealthIndicator`); watched on a timer so that each
 * change (a full disk, a replaced ledger file, and the recovery) is logged once, probe or no probe.
 */
@Injectable()
export class StoreHealthService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('StoreHealth');
  private last: StoreWriteHealth = { writable: true };
  private timer: NodeJS.Timeout | undefined;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.writeHealth().catch(() => undefined), WATCH_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async writeHealth(): Promise<StoreWriteHealth> {
    let now: StoreWriteHealth;
    try {
      now = (await this.store.writeHealth?.()) ?? { writable: true };
    } catch {
      return this.last; // an unreachable store is the reachability check's to report
    }
    if (now.writable !== this.last.writable || now.fault !== this.last.fault) {
      if (now.writable) this.logger.log('The event store takes writes again; ready');
      else this.logger.error({ code: now.fault ?? 'STORE.UNAVAILABLE' }, `The event store cannot write (${now.fault ?? 'unknown'}): ${withoutSecrets(now.detail ?? '')}; not ready`);
    }
    this.last = now;
    return now;
  }
}
