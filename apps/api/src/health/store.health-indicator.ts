import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { EventStore } from '@trial-ledger/event-store';
import { EVENT_STORE } from '../shared/tokens';

/** A store that does not answer within this time counts as unreachable (a load balancer probes every few seconds). */
const STORE_TIMEOUT_MS = 2000;

/**
 * Readiness: the event store answers a read of its head. The probe is public, so it says up or down
 * and nothing else — no store URL, file path, position or error text (those go to the operator's log).
 */
@Injectable()
export class StoreHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async isReachable(key = 'store'): Promise<HealthIndicatorResult> {
    const check = this.health.check(key);
    try {
      await withTimeout(this.store.head(), STORE_TIMEOUT_MS);
      return check.up();
    } catch {
      return check.down();
    }
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
