import type { Pool, PoolClient } from 'pg';
import { ConcurrencyError, IdempotencyKeyReusedError, InvalidAppendError, StoreUnavailableError } from '../event-store.errors';

/**
 * Every append takes this transaction-scoped advisory lock first, so appenders on any connection of
 * any process are serialised: the next global position and the previous hash are read and extended
 * by one writer at a time, which keeps positions gapless and the chain linear.
 */
const APPEND_LOCK = `hashtextextended('trial-ledger.append', 0)`;

/** Connection failures become `StoreUnavailableError` (503 at the edge); everything else passes through. */
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN']);
export const mapPostgresError = (error: unknown): unknown => {
  if (error instanceof ConcurrencyError || error instanceof IdempotencyKeyReusedError || error instanceof InvalidAppendError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string') {
    if (CONNECTION_ERRNOS.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') {
      return new StoreUnavailableError(`PostgreSQL is unavailable: ${message}`, error);
    }
  }
  if (/Connection terminated|connection timeout|Client has encountered a connection error/i.test(message)) {
    return new StoreUnavailableError(`PostgreSQL is unavailable: ${message}`, error);
  }
  return error;
};

/** The URL without its password, for logs. */
export const redactPostgresUrl = (url: string): string => {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString().replace(/:@/, '@');
  } catch {
    return 'postgres://(unparseable URL)';
  }
};

/** Runs `work` in a transaction holding the append lock; rolls back on any error. */
export const inAppendTransaction = async <T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> => {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw mapPostgresError(error);
  }
  let broken = false;
  try {
    // One round trip: a simple-protocol query may carry both statements.
    await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${APPEND_LOCK})`);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw mapPostgresError(error);
  } finally {
    client.release(broken);
  }
};

/** One query on the pool; `name`: a prepared statement, parsed and planned once per pooled connection (hot paths only). */
export const queryRows = async <R extends object>(pool: Pool, sql: string, params: unknown[] = [], name?: string): Promise<R[]> => {
  try {
    return (await pool.query<R>(name === undefined ? { text: sql, values: params } : { name, text: sql, values: params })).rows;
  } catch (error) {
    throw mapPostgresError(error);
  }
};
