import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { eventLeafHash, rangeRoot, storedRoot } from '@trial-ledger/merkle';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { testEvent } from '../testing';

describe('SQLite Merkle nodes', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'merkle-sqlite-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given a ledger written before the tree existed (schema 2), when opened, then the tree is built for every event', async () => {
    const file = join(dir, 'ledger.sqlite');
    const store = new SqliteEventStore(file);
    for (let i = 0; i < 11; i += 1) await store.append({ writes: [{ streamId: `s-${i % 2}`, expectedVersion: 'any', events: [testEvent(), testEvent()] }] });
    await store.close();
    const db = new Database(file);
    db.exec('DROP TABLE merkle_nodes; PRAGMA user_version = 2;');
    db.close();

    const reopened = new SqliteEventStore(file);
    const hashes: string[] = [];
    for await (const e of reopened.readAll()) hashes.push(e.hash);
    const source = { treeNodes: reopened.treeNodes.bind(reopened) };
    expect((await storedRoot(source, 22)).equals(rangeRoot(hashes.map(eventLeafHash)))).toBe(true);
    await reopened.append({ writes: [{ streamId: 's-0', expectedVersion: 'any', events: [testEvent()] }] });
    hashes.push((await reopened.head()).hash);
    expect((await storedRoot(source, 23)).equals(rangeRoot(hashes.map(eventLeafHash)))).toBe(true);
    await reopened.close();
  });

  it('refuses UPDATE and DELETE of a stored node', async () => {
    const file = join(dir, 'ledger.sqlite');
    const store = new SqliteEventStore(file);
    await store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: Array.from({ length: 16 }, () => testEvent()) }] });
    const db = store.database;
    // 16 events complete the first stored node (level 4); lower levels are folded from the events.
    expect(db.prepare('SELECT level, idx FROM merkle_nodes').all()).toEqual([{ level: 4, idx: 0 }]);
    expect(() => db.prepare('UPDATE merkle_nodes SET hash = zeroblob(32)').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM merkle_nodes').run()).toThrow(/append-only/);
    await store.close();
  });
});
