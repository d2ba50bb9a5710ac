import type { Pool, PoolClient } from 'pg';
import { ConcurrencyError, IdempotencyKeyReusedError, InvalidAppendError, StoreUnavailableError, StoreWriteError, type StoreWriteFault } from '../event-store.errors';

/**
 * Every append takes this transaction-scoped advisory lock first, so appenders on any connection of
 * any process are serialised: the next global position and the previous hash are read and extended
 * by one writer at a time, which keeps positions gapless and the chain linear.
 */
export const APPEND_LOCK = `hashtextextended('trial-ledger.append', 0)`;

/**
 * SQLSTATEs of a server that cannot write: disk_full, read_only_sql_transaction (a standby, or read-only by
 * setting), insufficient_privilege (a role that may only read: for this server, a read-only store), io_error.
 */
const WRITE_FAULTS: Readonly<Record<string, StoreWriteFault>> = Object.assign(Object.create(null) as Record<string, StoreWriteFault>, {
  '53100': 'STORE.DISK_FULL',
  '25006': 'STORE.READ_ONLY',
  '42501': 'STORE.READ_ONLY',
  '58030': 'STORE.IO_ERROR',
});

/** Connection failures become `StoreUnavailableError` (503 at the edge); everything else passes through. */
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN']);
export const mapPostgresError = (error: unknown): unknown => {
  if (error instanceof ConcurrencyError || error instanceof IdempotencyKeyReusedError || error instanceof InvalidAppendError || error instanceof StoreUnavailableError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string') {
    const fault = WRITE_FAULTS[code];
    if (fault) return new StoreWriteError(fault, `PostgreSQL could not write (${code}: ${message}); nothing was written`, error);
    // Class 28 (a password rotated or a role's login refused under a running server) and 3D000 (its database
    // gone) are a database the server cannot reach for now, as much as a connection refused: 503, not 500.
    if (CONNECTION_ERRNOS.has(code) || code.startsWith('08') || code.startsWith('28') || code === '3D000' || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') {
      return new StoreUnavailableError(`PostgreSQL is unavailable: ${message}`, error);
    }
    if (code === '55P03') {
      return new StoreWriteError('STORE.LOCKED', `PostgreSQL did not grant a lock in time (55P03: ${message}): another session holds the append lock or the rows; nothing was written`, error);
    }
    // A statement cancelled by a statement_timeout or an operator (pg_cancel_backend), and a session ended
    // by idle_in_transaction_session_timeout or idle_session_timeout: the statement's transaction was rolled back.
    if (code === '57014' || code === '25P03' || code === '57P05') {
      return new StoreUnavailableError(`PostgreSQL cancelled the statement (${code}: ${message}); it was rolled back`, error);
    }
  }
  // 'timeout exceeded when trying to connect': every pooled connection stayed busy for the connection timeout;
  // 'Query read timeout': no answer within the query timeout (the pool drops that connection).
  if (/Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error/i.test(message)) {
    return new StoreUnavailableError(`PostgreSQL is unavailable: ${message}`, error);
  }
  return error;
};

/**
 * Whether the connected role may write what a server writes: the log, idempotency keys, Merkle nodes,
 * sessions and rate-limit counters (the last two only once created). False on a standby or read-only session.
 */
export const WRITABLE_SQL = `SELECT NOT pg_is_in_recovery() AND current_setting('default_transaction_read_only') <> 'on'
  AND has_table_privilege('events', 'INSERT') AND has_table_privilege('idempotency_keys', 'INSERT')
  AND coalesce(has_table_privilege(to_regclass('merkle_nodes'), 'INSERT'), true)
  AND coalesce(has_table_privilege(to_regclass('auth_sessions'), 'INSERT') AND has_table_privilege(to_regclass('auth_sessions'), 'UPDATE'), true)
  AND coalesce(has_table_privilege(to_regclass('rate_limits'), 'INSERT') AND has_table_privilege(to_regclass('rate_limits'), 'UPDATE'), true) AS writable`;

/** A query parameter that carries a secret: pg takes `?password=` as the password, `?sslpassword=` unlocks the TLS key. */
const SECRET_PARAMETER = /pass|secret|token/i;

/** The URL without its password (in the user part or as a query parameter), for logs and the ready line. */
export const redactPostgresUrl = (url: string): string => {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    for (const name of [...new Set(parsed.searchParams.keys())]) {
      if (SECRET_PARAMETER.test(name)) parsed.searchParams.set(name, 'redacted');
    }
    return parsed.toString().replace(/:@/, '@');
  } catch {
    return 'postgres://(unparseable URL)';
  }
};

/**
 * Whether a query's error says its connection is gone (the server ended the session — `pg_terminate_backend`,
 * a shutdown or crash —, a connection exception, the socket reset or closed), as opposed to a statement refused,
 * cancelled or timed out on a connection that lives on.
 */
export const isDroppedConnection = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code === '57P01' || code === '57P02' || code.startsWith('08') || code === 'ECONNRESET' || code === 'EPIPE')) return true;
  return /Connection terminated|Client has encountered a connection error/i.test(error instanceof Error ? error.message : '');
};

/** The cause of a dropped connection in a warning's words: pg's code and message (never the password). */
export const droppedBecause = (error: Error | undefined): string => {
  if (error === undefined) return 'the connection ended';
  const code = (error as { code?: unknown }).code;
  return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}`;
};

/**
 * Runs `work` in a transaction holding the append lock; rolls back on any error. `lockWaitMs`: how long
 * to wait for the lock (`SET LOCAL lock_timeout`; a give-up is 55P03, `STORE.LOCKED`).
 */
export const inAppendTransaction = async <T>(pool: Pool, lockWaitMs: number, work: (client: PoolClient) => Promise<T>): Promise<T> => {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw mapPostgresError(error);
  }
  // The error a connection is given back with, if its ROLLBACK failed too: it is discarded, and the pool
  // hears why (a dropped connection is then said as such).
  let broken: Error | boolean = false;
  try {
    // One round trip: a simple-protocol query may carry both statements.
    await client.query(`BEGIN; SET LOCAL lock_timeout = ${Math.max(0, Math.trunc(lockWaitMs))}; SELECT pg_advisory_xact_lock(${APPEND_LOCK})`);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = error instanceof Error ? error : true;
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
