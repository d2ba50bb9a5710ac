import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { EventStore } from '@trial-ledger/event-store';
import { EVENT_STORE } from '../shared/tokens';
import { StoreHealthService } from './store-health.service';

/** A store that does not answer within this time counts as unreachable (a load balancer probes every few seconds). */
const STORE_TIMEOUT_MS = 2000;

/**
 * Readiness: the event store answers a read of its head, and can write (a full disk, a read-only
 * file system or database, I/O errors or a replaced ledger file make it `down` with that fault's
 * code). The probe is public, so it says up or down and the fault's stable code, nothing else — no
 * store URL, file path, position or error text (those go to the operator's log).
 */
@Injectable()
export class StoreHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly storeHealth: StoreHealthService,
  ) {}

  async isReachable(key = 'store'): Promise<HealthIndicatorResult> {
    const check = this.health.check(key);
    try {
      await withTimeout(this.store.head(), STORE_TIMEOUT_MS);
    } catch {
      return check.down();
    }
    const write = await this.storeHealth.writeHealth();
    return write.writable ? check.up() : check.down({ fault: write.fault });
  }
}

/** Rejects when `work` has not settled after `ms` (the work itself cannot be cancelled). */
export const withTimeout = <T>(work: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
};
