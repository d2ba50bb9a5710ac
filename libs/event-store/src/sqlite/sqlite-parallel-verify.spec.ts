import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { verifyChain } from '../hash-chain';
import { testEvent } from '../testing';
import { SqliteEventStore } from './sqlite-event-store';
import { verifySqliteFileParallel } from './sqlite-parallel-verify';

/** Damage a ledger file as an attacker with file access would: triggers dropped, rows edited. */
const tamper = (file: string, sql: string): void => {
  const db = new Database(file);
  db.exec('DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete;');
  db.exec(sql);
  db.close();
};

describe('verifySqliteFileParallel', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-parallel-'));
    file = join(dir, 'ledger.sqlite');
    const store = new SqliteEventStore(file);
    // 12 streams interleaved over 2,400 positions, so ranges cut through every stream.
    for (let round = 0; round < 20; round += 1) {
      for (let s = 0; s < 12; s += 1) {
        await store.append({ writes: [{ streamId: `s-${s}`, expectedVersion: round * 10, events: Array.from({ length: 10 }, (_, i) => testEvent('E', { round, i })) }] });
      }
    }
    await store.close();
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const sequential = async () => {
    const store = new SqliteEventStore(file);
    try {
      return await verifyChain(store.readAll());
    } finally {
      await store.close();
    }
  };

  it('given an intact log, when verified in 4 ranges, then it agrees with the sequential verifier', async () => {
    const parallel = await verifySqliteFileParallel(file, 2400, { workers: 4, minRange: 100 });
    const expected = await sequential();
    expect(parallel).toEqual({ ...expected, ok: true, eventsChecked: 2400, headPosition: 2400 });
  });

  it.each([
    ['a changed payload in a later range', "UPDATE events SET data = replace(data, '\"round\":17', '\"round\":71') WHERE global_position = 2101", 2101, 'content-altered'],
    ['a changed recorded_at column', "UPDATE events SET recorded_at = '2000-01-01T00:00:00.000Z' WHERE global_position = 1500", 1500, 'content-altered'],
    ['a deleted event', 'DELETE FROM events WHERE global_position = 1201', 1201, 'position-gap'],
    ['a broken link at a range boundary', "UPDATE events SET prev_hash = hash WHERE global_position = 601", 601, 'content-altered'],
  ])('given %s, when verified in parallel, then the first bad position and damage match the sequential verifier', async (_what, sql, position, damage) => {
    tamper(file, sql);
    const parallel = await verifySqliteFileParallel(file, 2400, { workers: 4, minRange: 100 });
    const expected = await sequential();
    expect(parallel.ok).toBe(false);
    expect(parallel.fault).toMatchObject({ position, damage });
    expect(expected.fault).toMatchObject({ position, damage });
  });

  it('given a stream whose version jumps across a range boundary, then the gap is named at its position', async () => {
    // Renumber one stream's event in the second range so the stream skips a version.
    tamper(file, "UPDATE events SET stream_version = stream_version + 100 WHERE global_position = 1201");
    const parallel = await verifySqliteFileParallel(file, 2400, { workers: 2, minRange: 100 });
    expect(parallel.fault?.position).toBe(1201);
  });
});
