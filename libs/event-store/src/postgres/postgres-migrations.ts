import type { Pool, PoolClient } from 'pg';
import { NotALedgerError, StoreUnavailableError, UnsupportedEncodingError } from '../event-store.errors';
import { MIGRATIONS } from './postgres-schema';

const MIGRATION_LOCK = `hashtextextended('trial-ledger.migrate', 0)`;

/**
 * Where a new ledger may not be created, checked before its first table:
 *
 * - a schema holding another application's tables: they must be left as they were, as the SQLite
 *   store leaves a foreign file (`STORE.NOT_A_LEDGER`). Creating the ledger beside them is a write
 *   nobody asked for (`verify` or `migrate --to` pointed at the wrong database), and `verify` would
 *   report them an intact, empty ledger. A ledger goes in an empty database or a schema of its own
 *   (`?options=-c search_path=…`).
 * - a database encoded in neither UTF8 (every character) nor SQL_ASCII (the bytes it is given, returned
 *   unchanged): any other encoding converts, and refuses what it cannot represent at the append that
 *   carries it, where SQLite records it. A ledger already there still opens, to be verified and
 *   migrated out.
 */
const refuseToCreateHere = async (client: PoolClient): Promise<void> => {
  // Read from pg_class in this statement's snapshot: `to_regclass` may answer from a catalog cache that
  // has not yet seen the ledger another process committed while this one waited for the lock.
  const found = await client.query<{ schema: string | null; db: string; encoding: string; ledger: boolean; relation: string | null }>(
    `WITH here AS (SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f'))
     SELECT current_schema() AS schema, current_database() AS db, current_setting('server_encoding') AS encoding,
            EXISTS (SELECT 1 FROM here WHERE relname = 'schema_migrations') AS ledger,
            (SELECT relname FROM here ORDER BY relname LIMIT 1) AS relation`,
  );
  const { schema, db, encoding, ledger, relation } = found.rows[0];
  if (ledger) return;
  if (relation !== null) {
    throw new NotALedgerError(
      `The PostgreSQL schema ${schema} of database ${db} is not a trial-ledger ledger: it holds another application's tables (${relation}) ` +
        'and no ledger; use an empty database, or a schema of its own (?options=-c%20search_path%3D…)',
    );
  }
  if (encoding !== 'UTF8' && encoding !== 'SQL_ASCII') {
    throw new UnsupportedEncodingError(
      `The PostgreSQL database ${db} is encoded in ${encoding}, which cannot hold every character a ledger records: create it with ENCODING 'UTF8'`,
    );
  }
};

/**
 * Applies migrations newer than `schema_migrations` records, under an advisory lock so two
 * processes starting at once do not race. An up-to-date schema is only read, so a role granted
 * SELECT and INSERT alone can connect.
 */
export const migratePostgres = async (pool: Pool): Promise<void> => {
  const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
  const client = await pool.connect();
  try {
    const applied = async (): Promise<number> => {
      const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
      if (exists.rows[0].t === null) return 0;
      const result = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
      return result.rows[0].v ?? 0;
    };
    const current = await applied();
    if (current > latest) {
      throw new StoreUnavailableError(`The ledger schema is at version ${current}, newer than this build knows (${latest}): upgrade trial-ledger`);
    }
    if (current === latest) return;
    await client.query('BEGIN');
    try {
      await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      // Under the lock: another process may have created the ledger since `current` was read.
      if ((await applied()) === 0) await refuseToCreateHere(client);
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version    integer     PRIMARY KEY,
           name       text        NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const now = await applied();
      for (const migration of MIGRATIONS.filter((m) => m.version > now)) {
        await client.query(migration.sql);
        await migration.after?.(client);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    client.release();
  }
};
