import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describeEventStoreContract, testEvent } from '../testing';
import { SqliteEventStore } from './sqlite-event-store';
import type { SqliteStreamCache } from './sqlite-stream-cache';

let dir: string;

describeEventStoreContract('sqlite', {
  open: async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-contract-'));
    return new SqliteEventStore(join(dir, 'ledger.sqlite'), { pollMs: 20 });
  },
  cleanup: async () => rmSync(dir, { recursive: true, force: true }),
});

describe('SqliteEventStore: the database itself keeps the ledger append-only', () => {
  it('refuses UPDATE and DELETE on events and idempotency records through any connection', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ledger-triggers-'));
    const file = join(d, 'ledger.sqlite');
    const store = new SqliteEventStore(file);
    await store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent()] }], idempotencyKey: 'k' });
    await store.close();
    const raw = new Database(file);
    // A row as an earlier version wrote it (nothing writes idempotency_keys now; old rows stay protected)
    raw.prepare("INSERT INTO idempotency_keys VALUES ('old', NULL, '[]', '{}', 1, '2024-01-01T00:00:00.000Z')").run();
    expect(() => raw.prepare("UPDATE events SET data = '{}'").run()).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM events').run()).toThrow(/append-only/);
    expect(() => raw.prepare("UPDATE idempotency_keys SET request_hash = 'x'").run()).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM idempotency_keys').run()).toThrow(/append-only/);
    expect(raw.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 1 });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    rmSync(d, { recursive: true, force: true });
  });

  it('runs with synchronous=FULL so every commit is fsynced', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ledger-sync-'));
    const store = new SqliteEventStore(join(d, 'ledger.sqlite'));
    expect(store.database.pragma('synchronous', { simple: true })).toBe(2);
    await store.close();
    rmSync(d, { recursive: true, force: true });
  });
});

describe('SqliteEventStore: the stream cache never hides what is stored', () => {
  it('given a cached stream, when another connection appends or alters it behind the triggers, then the next read shows it', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ledger-cache-'));
    const file = join(d, 'ledger.sqlite');
    const store = new SqliteEventStore(file);
    await store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent('A', { n: 1 })] }] });
    expect((await store.readStream('s')).map((e) => e.data)).toEqual([{ n: 1 }]);

    const other = new SqliteEventStore(file);
    await other.append({ writes: [{ streamId: 's', expectedVersion: 1, events: [testEvent('B', { n: 2 })] }] });
    await other.close();
    expect((await store.readStream('s')).map((e) => e.type)).toEqual(['A', 'B']);

    const attacker = new Database(file);
    attacker.exec('DROP TRIGGER events_no_update');
    attacker.prepare(`UPDATE events SET data = '{"n":99}' WHERE stream_version = 1`).run();
    attacker.close();
    expect((await store.readStream('s'))[0].data).toEqual({ n: 99 });
    await store.close();
    rmSync(d, { recursive: true, force: true });
  });

  it('hands out frozen events, so one caller cannot change what the next is given', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ledger-cache-'));
    const store = new SqliteEventStore(join(d, 'ledger.sqlite'));
    await store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent('A', { list: [1, 2] })] }] });
    const [event] = await store.readStream('s');
    expect(() => (event.data.list as number[]).push(3)).toThrow(TypeError);
    expect((await store.readStream('s'))[0].data).toEqual({ list: [1, 2] });
    await store.close();
    rmSync(d, { recursive: true, force: true });
  });

  it('keeps no entry for a stream read empty, so reading many names of streams that do not exist leaves the cache as it was', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ledger-cache-'));
    const store = new SqliteEventStore(join(d, 'ledger.sqlite'));
    const cache = (store as unknown as { streamCache: SqliteStreamCache }).streamCache;
    await store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent()] }] });
    await store.readStream('s');
    for (let i = 0; i < 1000; i += 1) expect(await store.readStream(`subject-X-N${i}`)).toEqual([]);
    expect(cache.streamIds).toEqual(['s']);
    // A stream read empty and then written is read in full afterwards.
    await store.append({ writes: [{ streamId: 'subject-X-N7', expectedVersion: 0, events: [testEvent('B')] }] });
    expect((await store.readStream('subject-X-N7')).map((e) => e.type)).toEqual(['B']);
    await store.close();
    rmSync(d, { recursive: true, force: true });
  });
});

describe('SqliteEventStore: a file that is not a ledger is left untouched', () => {
  it("given another application's SQLite database, when opened as a store, then STORE.NOT_A_LEDGER and not one byte of the file changes", () => {
    const d = mkdtempSync(join(tmpdir(), 'ledger-foreign-'));
    const file = join(d, 'other-app.sqlite');
    const raw = new Database(file);
    raw.exec('CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT)');
    raw.close();
    const before = readFileSync(file);

    expect(() => new SqliteEventStore(file)).toThrow(expect.objectContaining({ code: 'STORE.NOT_A_LEDGER' }));

    expect(readFileSync(file).equals(before)).toBe(true);
    const check = new Database(file, { readonly: true });
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual(['patients']);
    check.close();
    rmSync(d, { recursive: true, force: true });
  });

  it('given a file that is not SQLite at all, when opened as a store, then STORE.NOT_A_LEDGER', () => {
    const d = mkdtempSync(join(tmpdir(), 'ledger-foreign-'));
    const file = join(d, 'notes.sqlite');
    writeFileSync(file, 'x'.repeat(4096));

    expect(() => new SqliteEventStore(file)).toThrow(expect.objectContaining({ code: 'STORE.NOT_A_LEDGER' }));
    expect(readFileSync(file, 'utf8')).toBe('x'.repeat(4096));
    rmSync(d, { recursive: true, force: true });
  });

  it('given an existing ledger, when reopened, then it opens (the check refuses only foreign files)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ledger-reopen-'));
    const file = join(d, 'ledger.sqlite');
    const first = new SqliteEventStore(file);
    await first.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent()] }] });
    await first.close();

    const again = new SqliteEventStore(file);
    expect((await again.readStream('s')).length).toBe(1);
    await again.close();
    rmSync(d, { recursive: true, force: true });
  });
});
