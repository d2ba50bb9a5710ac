import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { testEvent } from '../../libs/event-store/src/testing';
import { cli, tempDir } from './cli-harness';

interface VerifyReport {
  readonly ok: boolean;
  readonly sideRecords: { readonly faults: readonly { table: string; record: string; problem: string }[] };
}

/**
 * The chain is positions 1 to the head; a SQLite INTEGER PRIMARY KEY also takes 0 and negative numbers.
 * An INSERT (all the append-only triggers allow) of an event at position 0, into a real stream at its next
 * version, with the idempotency index column agreeing with its metadata, was never read by `verify`
 * ("intact", exit 0), while stream reads and look-ups by id and by idempotency key found it: the command
 * pipeline decided on it, and the next genuine event of that stream then looked like a version gap.
 */
describe('verify names an event row stored outside the chain (position 0 or below)', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it.each([0, -7])('an event planted at position %i: not backed by the chain, exit 3', async (position) => {
    const file = join(dir.path, `planted-${position}.sqlite`);
    const store = new SqliteEventStore(file);
    await store.append({ writes: [{ streamId: 'subject-S1', expectedVersion: 0, events: [testEvent('DoseAdministered', { doseMg: 120 })] }] });
    await store.append({ writes: [{ streamId: 'subject-S1', expectedVersion: 1, events: [testEvent('DoseAdministered', { doseMg: 120 })] }] });
    await store.close();
    expect((await cli(['--store', `sqlite:${file}`, 'verify'])).status).toBe(0);
    const db = new Database(file);
    db.prepare(
      `INSERT INTO events (global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, idempotency_key, prev_hash, hash)
       SELECT ?, '01a2371b-0000-7000-8000-000000000001', stream_id, 3, type, schema_version, replace(data, '120', '12'), metadata, recorded_at, idempotency_key, prev_hash, hash
       FROM events WHERE global_position = 2`,
    ).run(position);
    db.close();
    const run = await cli(['--store', `sqlite:${file}`, '--json', 'verify']);
    expect(run.status).toBe(3);
    const report = JSON.parse(run.stdout) as VerifyReport;
    expect(report.ok).toBe(false);
    expect(report.sideRecords.faults).toEqual([expect.objectContaining({ table: 'events', record: String(position), problem: 'planted' })]);
    const text = await cli(['--store', `sqlite:${file}`, 'verify']);
    expect(text.stdout + text.stderr).toContain(`stored at position ${position}`);
  });
});
