import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { testEvent } from '../../libs/event-store/src/testing';
import { cli, tempDir } from './cli-harness';

interface VerifyReport {
  readonly ok: boolean;
  readonly sideRecords: { readonly faults: readonly { table: string; record: string; problem: string }[] };
}

const appendEvents = async (file: string, count: number): Promise<void> => {
  const store = new SqliteEventStore(file);
  for (let i = 0; i < count; i += 1) await store.append({ writes: [{ streamId: `s-${i}`, expectedVersion: 0, events: [testEvent('E', { i })] }] });
  await store.close();
};

/**
 * `merkle_nodes` may only hold complete subtrees of the log. INSERT is all the append-only triggers
 * allow, and it is all an attacker with write access to the file needs to plant a node for a subtree
 * the log has not reached: `verify` said "intact", and the append that completes that subtree then
 * failed on the node's primary key — and so did every append after it.
 */
describe('verify names a Merkle node planted beyond the log', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('a node for the next subtree of 16 events, and one at an absurd level: side records not backed by the chain, exit 3', async () => {
    const file = join(dir.path, 'planted.sqlite');
    await appendEvents(file, 20);
    const db = new Database(file);
    db.prepare('INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)').run(4, 1, Buffer.alloc(32, 7));
    db.prepare('INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)').run(70, 0, Buffer.alloc(32, 7));
    db.close();
    const run = await cli(['--store', `sqlite:${file}`, '--json', 'verify']);
    expect(run.status).toBe(3);
    const report = JSON.parse(run.stdout) as VerifyReport;
    expect(report.ok).toBe(false);
    expect(report.sideRecords.faults.filter((f) => f.table === 'merkle_nodes')).toEqual([
      expect.objectContaining({ record: '4/1', problem: 'planted' }),
      expect.objectContaining({ record: '70/0', problem: 'planted' }),
    ]);
  });

  it.each([16, 32, 33])('a ledger of %i events, whose last subtree may just have been completed, has none', async (count) => {
    const file = join(dir.path, `clean-${count}.sqlite`);
    await appendEvents(file, count);
    const run = await cli(['--store', `sqlite:${file}`, '--json', 'verify']);
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as VerifyReport).sideRecords.faults).toEqual([]);
  });

  it('warns when the Merkle nodes append-only triggers are dropped or altered, as for the events (STORE.TRIGGER_MISSING/ALTERED)', async () => {
    const file = join(dir.path, 'triggers.sqlite');
    await appendEvents(file, 3);
    const db = new Database(file);
    db.exec('DROP TRIGGER merkle_nodes_no_delete');
    db.exec('DROP TRIGGER merkle_nodes_no_update');
    db.exec('CREATE TRIGGER merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes WHEN 0 BEGIN SELECT RAISE(ABORT, \'never\'); END');
    db.close();
    const run = await cli(['--store', `sqlite:${file}`, '--json', 'verify']);
    const warnings = (JSON.parse(run.stdout) as { warnings: { code: string; message: string }[] }).warnings;
    expect(warnings.map((w) => [w.code, w.message.split(' ')[2]])).toEqual([
      ['STORE.TRIGGER_ALTERED', 'merkle_nodes_no_update'],
      ['STORE.TRIGGER_MISSING', 'merkle_nodes_no_delete'],
    ]);
  });
});
