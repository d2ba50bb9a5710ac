import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ServerStateSql } from '@trial-ledger/event-store';
import { PostgresRateLimits } from '@trial-ledger/identity';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/**
 * @nestjs/throttler's storage in the ledger's PostgreSQL database, so every API instance on it counts
 * into the same buckets: attempts spread over instances behind a load balancer meet one limit. The
 * throttler's keys are already hashes of route, limit name and tracker; they are stored as they are.
 */
export class SharedThrottlerStorage implements ThrottlerStorage {
  private readonly counts: PostgresRateLimits;

  constructor(sql: ServerStateSql) {
    this.counts = new PostgresRateLimits(sql);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    // One bucket per key and limit name, as the in-memory storage keeps one count per name under a key.
    const count = await this.counts.hit(`${throttlerName}:${key}`, ttl, limit, blockDuration > 0 ? blockDuration : ttl);
    const isBlocked = count.blockedUntilMs > count.nowMs;
    return {
      totalHits: count.hits,
      timeToExpire: seconds(count.windowEndsMs - count.nowMs),
      isBlocked,
      timeToBlockExpire: isBlocked ? seconds(count.blockedUntilMs - count.nowMs) : 0,
    };
  }
}
