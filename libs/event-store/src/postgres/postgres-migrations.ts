import type { Pool } from 'pg';
import { StoreUnavailableError, UnsupportedEncodingError } from '../event-store.errors';
import { MIGRATIONS } from './postgres-schema';

const MIGRATION_LOCK = `hashtextextended('trial-ledger.migrate', 0)`;

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
    // UTF8 holds every character; SQL_ASCII stores the bytes it is given and returns them unchanged.
    // Any other encoding converts, and refuses what it cannot represent, at the append that carries it.
    // A ledger already there still opens, so that it can be verified and migrated out.
    const encoding = (await client.query<{ e: string }>(`SELECT current_setting('server_encoding') AS e`)).rows[0].e;
    if (current === 0 && encoding !== 'UTF8' && encoding !== 'SQL_ASCII') {
      throw new UnsupportedEncodingError(
        `The PostgreSQL database is encoded in ${encoding}, which cannot hold every character a ledger records: create it with ENCODING 'UTF8'`,
      );
    }
    if (current > latest) {
      throw new StoreUnavailableError(`The ledger schema is at version ${current}, newer than this build knows (${latest}): upgrade trial-ledger`);
    }
    if (current === latest) return;
    await client.query('BEGIN');
    try {
      await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
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
