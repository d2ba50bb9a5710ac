import type { Pool } from 'pg';
import { plantedTreeNodeFault, TREE_NODE_BEYOND_HEAD, type DefenceWarning, type SideRecordFault, type StorageInspection } from '../inspect-store';
import { queryRows } from './postgres-connection';
import { MIGRATIONS } from './postgres-schema';

/** At most this many index faults are named one by one. */
const MAX_NAMED = 100;

/** The append-only triggers the migrations create: table, timing and events, row or statement level. */
const EXPECTED_TRIGGERS: ReadonlyArray<{ name: string; table: string; events: string[]; level: 'ROW' | 'STATEMENT' }> = [
  { name: 'events_append_only', table: 'events', events: ['DELETE', 'UPDATE'], level: 'ROW' },
  { name: 'events_no_truncate', table: 'events', events: ['TRUNCATE'], level: 'STATEMENT' },
  { name: 'idempotency_keys_append_only', table: 'idempotency_keys', events: ['DELETE', 'UPDATE'], level: 'ROW' },
  { name: 'idempotency_keys_no_truncate', table: 'idempotency_keys', events: ['TRUNCATE'], level: 'STATEMENT' },
  // Schema version 2 (the Merkle tree).
  { name: 'merkle_nodes_append_only', table: 'merkle_nodes', events: ['DELETE', 'UPDATE'], level: 'ROW' },
  { name: 'merkle_nodes_no_truncate', table: 'merkle_nodes', events: ['TRUNCATE'], level: 'STATEMENT' },
];

const normalised = (sql: string): string => sql.replace(/\s+/g, ' ').trim();

/** The body of `ledger_refuse_change()` as the migration wrote it. */
const REFUSE_BODY = normalised(/FUNCTION ledger_refuse_change\(\)[\s\S]*?\$\$([\s\S]*?)\$\$/.exec(MIGRATIONS[0].sql)?.[1] ?? '');

/** Does `pg_get_triggerdef` describe the expected trigger? */
const matches = (definition: string, expected: (typeof EXPECTED_TRIGGERS)[number]): boolean => {
  const parsed = /^CREATE TRIGGER \S+ BEFORE (.+?) ON (?:\S+\.)?(\S+) FOR EACH (ROW|STATEMENT) EXECUTE FUNCTION (?:\S+\.)?ledger_refuse_change\(\)$/.exec(
    normalised(definition),
  );
  if (!parsed) return false;
  const events = parsed[1].split(' OR ').sort();
  return parsed[2] === expected.table && parsed[3] === expected.level && events.join() === [...expected.events].sort().join();
};

const triggerWarnings = async (pool: Pool): Promise<DefenceWarning[]> => {
  const rows = await queryRows<{ tgname: string; tgenabled: string; def: string; prosrc: string }>(
    pool,
    `SELECT t.tgname, t.tgenabled, pg_get_triggerdef(t.oid) AS def, p.prosrc
       FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
      WHERE NOT t.tgisinternal AND t.tgrelid IN (to_regclass('events'), to_regclass('idempotency_keys'), to_regclass('merkle_nodes'))`,
  );
  const warnings: DefenceWarning[] = [];
  for (const expected of EXPECTED_TRIGGERS) {
    const found = rows.find((r) => r.tgname === expected.name);
    if (!found) {
      warnings.push({ code: 'STORE.TRIGGER_MISSING', message: `append-only trigger ${expected.name} on ${expected.table} is missing: the database no longer refuses changes to it` });
    } else if (found.tgenabled === 'D') {
      warnings.push({ code: 'STORE.TRIGGER_ALTERED', message: `append-only trigger ${expected.name} on ${expected.table} is disabled` });
    } else if (!matches(found.def, expected) || normalised(found.prosrc) !== REFUSE_BODY) {
      warnings.push({ code: 'STORE.TRIGGER_ALTERED', message: `append-only trigger ${expected.name} on ${expected.table} differs from the one the ledger created` });
    }
  }
  return warnings;
};

/**
 * Role separation (`grant-append-only-role.sql`): the table owner can drop the triggers, so some
 * role other than the owner must be able to append, and no such role may change or remove rows.
 */
const roleWarnings = async (pool: Pool): Promise<DefenceWarning[]> => {
  const roles = await queryRows<{ rolname: string; can_change: boolean }>(
    pool,
    `SELECT r.rolname,
            (has_table_privilege(r.oid, c.oid, 'UPDATE') OR has_table_privilege(r.oid, c.oid, 'DELETE') OR has_table_privilege(r.oid, c.oid, 'TRUNCATE')
             OR has_table_privilege(r.oid, to_regclass('idempotency_keys'), 'UPDATE') OR has_table_privilege(r.oid, to_regclass('idempotency_keys'), 'DELETE')
             OR has_table_privilege(r.oid, to_regclass('idempotency_keys'), 'TRUNCATE')) AS can_change
       FROM pg_roles r CROSS JOIN pg_class c
      WHERE c.oid = to_regclass('events') AND r.oid <> c.relowner AND NOT r.rolsuper AND r.rolname NOT LIKE 'pg\\_%'
        AND has_table_privilege(r.oid, c.oid, 'INSERT')`,
  );
  const warnings: DefenceWarning[] = [];
  if (roles.length === 0) {
    const owner = (await queryRows<{ owner: string }>(pool, `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = to_regclass('events')`))[0]?.owner;
    warnings.push({
      code: 'STORE.ROLE_SEPARATION_MISSING',
      message: `no append-only role: only the owner ${owner ?? '?'} (or a superuser) can write the ledger, and the owner can drop the triggers; run grant-append-only-role.sql and connect the application as that role`,
    });
  }
  for (const role of roles.filter((r) => r.can_change)) {
    warnings.push({ code: 'STORE.ROLE_SEPARATION_ALTERED', message: `role ${role.rolname} may UPDATE, DELETE or TRUNCATE the ledger tables: an application role must hold only SELECT and INSERT` });
  }
  return warnings;
};

/**
 * What lies outside the hash chain in a PostgreSQL ledger: the `events.idempotency_key` index column
 * (must equal the key in each event's hashed metadata), the append-only triggers and the role
 * separation. `idempotency_keys` rows are checked by `inspectStore`.
 */
export const inspectPostgresStorage = async (pool: Pool): Promise<StorageInspection> => {
  const mismatched = await queryRows<{ global_position: string; event_id: string; idempotency_key: string | null }>(
    pool,
    `SELECT global_position, event_id, idempotency_key FROM events
      WHERE idempotency_key IS DISTINCT FROM (metadata ->> 'idempotencyKey') ORDER BY global_position LIMIT ${MAX_NAMED}`,
  );
  const faults: SideRecordFault[] = mismatched.map((row) => ({
    table: 'events.idempotency_key',
    record: String(row.global_position),
    problem: 'index-altered',
    message: `the indexed idempotency key of the event at position ${row.global_position} (${row.event_id}) is ${row.idempotency_key ?? 'empty'}, not the key in its hashed metadata`,
  }));
  const beyond = await queryRows<{ level: number; idx: string; head: string }>(
    pool,
    `WITH h(head) AS (SELECT coalesce(max(global_position), 0)::bigint FROM events)
     SELECT level, idx::text, head::text FROM merkle_nodes, h WHERE ${TREE_NODE_BEYOND_HEAD} ORDER BY level, idx LIMIT ${MAX_NAMED}`,
  );
  faults.push(...beyond.map((row) => plantedTreeNodeFault(row.level, row.idx, Number(row.head))));
  return {
    sideTables: ['idempotency_keys', 'events.idempotency_key', 'merkle_nodes', 'schema_migrations'],
    faults,
    warnings: [...(await triggerWarnings(pool)), ...(await roleWarnings(pool))],
  };
};
