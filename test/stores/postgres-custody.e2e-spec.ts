import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresEventStore, type StoredEvent } from '@trial-ledger/event-store';
import { testEvent } from '../../libs/event-store/src/testing';
import { withPostgresClient as withClient } from '../../libs/event-store/src/testing/postgres-test-server';
import { usePostgresTestServer } from '../../libs/event-store/src/testing/use-postgres-test-server';
import { cli } from '../cli/cli-harness';

/**
 * The PostgreSQL side of custody: a row planted in `idempotency_keys` answers nothing and `verify`
 * names it; `verify` warns when an append-only trigger is dropped or disabled, and when the role
 * separation of `grant-append-only-role.sql` is missing or loosened.
 */
const server = usePostgresTestServer();


interface VerifyReport {
  ok: boolean;
  sideRecords: { faults: Array<{ table: string; record: string; problem: string }> };
  warnings: Array<{ code: string; message: string }>;
}


const verify = async (url: string): Promise<{ status: number; report: VerifyReport; text: string }> => {
  const json = await cli(['--store', url, '--json', 'verify']);
  const text = await cli(['--store', url, 'verify']);
  return { status: json.status, report: JSON.parse(json.stdout) as VerifyReport, text: text.stdout + text.stderr };
};

describe('PostgreSQL ledger under custody (verify over the CLI)', () => {
  it('given the owner only, warns that role separation is missing; with the append-only role, warns about nothing', async () => {
    const url = await server.createDatabase();
    const store = await PostgresEventStore.connect(url);
    const role = `ledger_app_${randomBytes(4).toString('hex')}`;
    try {
      await store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent()] }], idempotencyKey: 'k1', requestHash: 'h1' });
      const before = await verify(url);
      expect(before.status).toBe(0);
      expect(before.report.warnings.map((w) => w.code)).toEqual(['STORE.ROLE_SEPARATION_MISSING']);
      expect(before.text).toContain('WARNING [STORE.ROLE_SEPARATION_MISSING]');

      const script = readFileSync(join(__dirname, '../../libs/event-store/src/postgres/grant-append-only-role.sql'), 'utf8');
      await withClient(url, async (c) => {
        await c.query(`CREATE ROLE ${c.escapeIdentifier(role)} LOGIN PASSWORD 'x${randomBytes(8).toString('hex')}'`);
        await c.query(script.replaceAll(':"app_role"', c.escapeIdentifier(role)));
      });
      expect((await verify(url)).report.warnings).toEqual([]);

      await withClient(url, (c) => c.query(`GRANT UPDATE ON events TO ${c.escapeIdentifier(role)}`));
      const loosened = await verify(url);
      expect(loosened.report.warnings).toEqual([expect.objectContaining({ code: 'STORE.ROLE_SEPARATION_ALTERED', message: expect.stringContaining(role) })]);
    } finally {
      await store.close();
      await withClient(url, async (c) => {
        await c.query(`DROP OWNED BY ${c.escapeIdentifier(role)}`).catch(() => undefined);
        await c.query(`DROP ROLE IF EXISTS ${c.escapeIdentifier(role)}`);
      });
    }
  });

  it('given a planted idempotency row and a dropped trigger, then the request is not answered from the row, and verify names the row and warns', async () => {
    const url = await server.createDatabase();
    const store = await PostgresEventStore.connect(url);
    try {
      const first = await store.append({ writes: [{ streamId: 'subject-A', expectedVersion: 0, events: [testEvent('Screened')] }], idempotencyKey: 'k-a', requestHash: 'ha' });
      const victim: StoredEvent = first.events[0];
      await withClient(url, async (c) => {
        const plant = `INSERT INTO idempotency_keys (idempotency_key, request_hash, event_ids, stream_versions, last_position, recorded_at) VALUES ($1, NULL, $2, $3, $4, $5)`;
        const named = [JSON.stringify([victim.eventId]), JSON.stringify({ 'subject-A': 1 }), 1, victim.metadata.recordedAt];
        await c.query(plant, ['k-b', ...named]);
        await c.query(plant, ['k-never', ...named]);
        await c.query('DROP TRIGGER events_append_only ON events');
        await c.query('ALTER TABLE idempotency_keys DISABLE TRIGGER idempotency_keys_no_truncate');
      });

      const second = await store.append({ writes: [{ streamId: 'subject-B', expectedVersion: 0, events: [testEvent('Screened')] }], idempotencyKey: 'k-b', requestHash: 'hb' });

      expect(second.repeated).toBe(false);
      expect(second.events[0]).toMatchObject({ streamId: 'subject-B', globalPosition: 2 });
      const { status, report, text } = await verify(url);
      expect(status).toBe(3);
      expect(report.ok).toBe(false);
      expect(report.sideRecords.faults.map((f) => [f.record, f.problem])).toEqual([
        ['k-b', 'altered'],
        ['k-never', 'planted'],
      ]);
      expect(report.warnings.map((w) => w.code)).toEqual(['STORE.TRIGGER_MISSING', 'STORE.TRIGGER_ALTERED', 'STORE.ROLE_SEPARATION_MISSING']);
      expect(text).toContain('append-only trigger events_append_only on events is missing');
      expect(text).toContain('idempotency_keys k-never: planted');
    } finally {
      await store.close();
    }
  });

  it('given a Merkle node planted for a subtree the log has not completed, verify names it (the append reaching it would fail), and a dropped trigger of the nodes', async () => {
    const url = await server.createDatabase();
    const store = await PostgresEventStore.connect(url);
    try {
      for (let i = 0; i < 17; i += 1) await store.append({ writes: [{ streamId: `s-${i}`, expectedVersion: 0, events: [testEvent('E', { i })] }] });
      await withClient(url, async (c) => {
        await c.query('INSERT INTO merkle_nodes (level, idx, hash) VALUES (4, 1, $1)', [randomBytes(32)]);
        await c.query('DROP TRIGGER merkle_nodes_append_only ON merkle_nodes');
      });
      const { status, report } = await verify(url);
      expect(status).toBe(3);
      expect(report.sideRecords.faults.map((f) => [f.table, f.record, f.problem])).toEqual([['merkle_nodes', '4/1', 'planted']]);
      // The Merkle nodes' append-only triggers are watched like the events' own.
      expect(report.warnings.map((w) => w.code)).toContain('STORE.TRIGGER_MISSING');
      expect(report.warnings.find((w) => w.code === 'STORE.TRIGGER_MISSING')?.message).toContain('merkle_nodes_append_only');
    } finally {
      await store.close();
    }
  });
});
