import type { ServerStateSql } from '@trial-ledger/event-store';
import { DB_NOW_MS, serverStateTables } from './postgres-server-state';

/** A bucket's count after one more attempt, in the database's time. */
export interface RateLimitCount {
  readonly hits: number;
  readonly windowEndsMs: number;
  /** 0 when the bucket is not blocked. */
  readonly blockedUntilMs: number;
  readonly nowMs: number;
}

const SWEEP_EVERY_MS = 60_000;

/**
 * One upsert per attempt, atomic under concurrent attempts from any instance (PostgreSQL locks the
 * bucket's row for the ON CONFLICT update; every `SET` reads the row as it was). A fixed window per
 * bucket: the attempt over the limit blocks the bucket for `blockMs`; while blocked, attempts are not
 * counted; the first attempt after the block or the window starts a new window.
 */
const HIT = `INSERT INTO rate_limits AS r (bucket, hits, window_ends_ms, blocked_until_ms)
  VALUES ($1, 1, ${DB_NOW_MS} + $2, CASE WHEN 1 > $3 THEN ${DB_NOW_MS} + $4 ELSE 0 END)
  ON CONFLICT (bucket) DO UPDATE SET
    hits = CASE WHEN r.blocked_until_ms > ${DB_NOW_MS} THEN r.hits
                WHEN r.window_ends_ms <= ${DB_NOW_MS} OR r.blocked_until_ms > 0 THEN 1
                ELSE r.hits + 1 END,
    window_ends_ms = CASE WHEN r.blocked_until_ms > ${DB_NOW_MS} THEN r.window_ends_ms
                WHEN r.window_ends_ms <= ${DB_NOW_MS} OR r.blocked_until_ms > 0 THEN ${DB_NOW_MS} + $2
                ELSE r.window_ends_ms END,
    blocked_until_ms = CASE WHEN r.blocked_until_ms > ${DB_NOW_MS} THEN r.blocked_until_ms
                WHEN r.window_ends_ms <= ${DB_NOW_MS} OR r.blocked_until_ms > 0 THEN EXCLUDED.blocked_until_ms
                WHEN r.hits + 1 > $3 THEN ${DB_NOW_MS} + $4
                ELSE 0 END
  RETURNING hits, window_ends_ms, blocked_until_ms, ${DB_NOW_MS} AS now_ms`;

/**
 * Rate-limit counters in the ledger's PostgreSQL database (`rate_limits`), shared by every API
 * instance on it: an attacker spreading attempts over instances behind a load balancer meets one
 * limit. Buckets are the throttler's keys (hashes), never a username or an address in clear.
 */
export class PostgresRateLimits {
  private lastSweepMs = 0;

  constructor(private readonly sql: ServerStateSql) {}

  async hit(bucket: string, windowMs: number, limit: number, blockMs: number): Promise<RateLimitCount> {
    await serverStateTables(this.sql);
    const [row] = await this.sql.query<{ hits: number; window_ends_ms: string; blocked_until_ms: string; now_ms: string }>(HIT, [bucket, windowMs, limit, blockMs], 'trial-ledger.rate-limit-hit');
    const count = { hits: Number(row.hits), windowEndsMs: Number(row.window_ends_ms), blockedUntilMs: Number(row.blocked_until_ms), nowMs: Number(row.now_ms) };
    if (count.nowMs - this.lastSweepMs >= SWEEP_EVERY_MS) {
      this.lastSweepMs = count.nowMs;
      // Buckets whose window and block are both over would start afresh anyway: forgetting them changes no answer.
      await this.sql.query(`DELETE FROM rate_limits WHERE window_ends_ms < ${DB_NOW_MS} AND blocked_until_ms < ${DB_NOW_MS}`);
    }
    return count;
  }
}
