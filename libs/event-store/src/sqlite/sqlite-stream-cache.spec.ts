import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { StoredEvent } from '../event-envelope';
import { ConcurrencyError } from '../event-store.errors';
import { testEvent } from '../testing';
import { SqliteEventStore } from './sqlite-event-store';

let dir: string;
let file: string;
let store: SqliteEventStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-stream-cache-'));
  file = join(dir, 'ledger.sqlite');
  store = new SqliteEventStore(file);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Counts the queries that read a stream's events from the file (not the cache's one pragma). */
const countStreamQueries = (s: SqliteEventStore): (() => number) => {
  const statements = (s as unknown as { statements: { streamTail: { all: (...args: unknown[]) => unknown[] } } }).statements;
  const original = statements.streamTail.all.bind(statements.streamTail);
  let queries = 0;
  statements.streamTail.all = (...args: unknown[]) => {
    queries += 1;
    return original(...args);
  };
  return () => queries;
};

/** The stream as a new connection reads it from the file: what the cache must hand out, to the key order. */
const fromFile = async (streamId: string): Promise<string> => {
  const fresh = new SqliteEventStore(file);
  try {
    return JSON.stringify(await fresh.readStream(streamId));
  } finally {
    await fresh.close();
  }
};

const typesOf = (events: readonly StoredEvent[]): string[] => events.map((e) => e.type);

describe('SQLite stream cache: written through by this connection’s commits', () => {
  it('given a cached stream, when this store appends to it, then the next read gives the new events without reading the file, exactly as the file holds them', async () => {
    await store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent('A', { z: 1, a: [2, { y: 3, b: 4 }] })] }] });
    await store.readStream('s');
    const queries = countStreamQueries(store);
    await store.append({ writes: [{ streamId: 's', expectedVersion: 1, events: [testEvent('B', { z: 'é', a: null }), testEvent('C', { n: -0 })] }], idempotencyKey: 'k-1' });

    const read = await store.readStream('s');
    expect(queries()).toBe(0);
    expect(typesOf(read)).toEqual(['A', 'B', 'C']);
    expect(JSON.stringify(read)).toBe(await fromFile('s'));
    expect(await store.streamVersion('s')).toBe(3);
    expect(() => (read[2].data as { n: number }).n++).toThrow(TypeError);
  });

  it('given appends in one group commit of which one is refused, then the cache holds only what was committed', async () => {
    await store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent('A')] }] });
    await store.readStream('s');
    const [first, second] = await Promise.allSettled([
      store.append({ writes: [{ streamId: 's', expectedVersion: 1, events: [testEvent('B')] }] }),
      store.append({ writes: [{ streamId: 's', expectedVersion: 1, events: [testEvent('Refused')] }] }),
    ]);
    expect(first.status).toBe('fulfilled');
    expect(second.status === 'rejected' && second.reason).toBeInstanceOf(ConcurrencyError);
    expect(typesOf(await store.readStream('s'))).toEqual(['A', 'B']);
    expect(JSON.stringify(await store.readStream('s'))).toBe(await fromFile('s'));
  });

  it('given a group commit that fails as a whole (a full database), then the cache gains nothing and the next write is read as stored', async () => {
    await store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent('A')] }] });
    await store.readStream('s');
    const pages = store.database.pragma('page_count', { simple: true }) as number;
    store.database.pragma(`max_page_count = ${pages + 1}`);
    await expect(store.append({ writes: [{ streamId: 's', expectedVersion: 1, events: [testEvent('Lost', { big: 'x'.repeat(20_000) })] }] })).rejects.toThrow();
    expect(typesOf(await store.readStream('s'))).toEqual(['A']);
    expect(await store.streamVersion('s')).toBe(1);
    store.database.pragma('max_page_count = 1073741823');
    await store.append({ writes: [{ streamId: 's', expectedVersion: 1, events: [testEvent('B')] }] });
    expect(typesOf(await store.readStream('s'))).toEqual(['A', 'B']);
  });

  it('given a cached stream, when another connection appends to it, then reads and the stream version see that append', async () => {
    await store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent('A')] }] });
    expect(await store.streamVersion('s')).toBe(1);
    await store.readStream('s');
    const other = new SqliteEventStore(file);
    await other.append({ writes: [{ streamId: 's', expectedVersion: 1, events: [testEvent('B')] }] });
    await other.close();
    expect(await store.streamVersion('s')).toBe(2);
    expect(typesOf(await store.readStream('s'))).toEqual(['A', 'B']);
  });

  it('given a cached stream, when a row is altered through another connection, then the next read gives the altered row', async () => {
    await store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent('A', { n: 1 })] }] });
    await store.readStream('s');
    await store.append({ writes: [{ streamId: 's', expectedVersion: 1, events: [testEvent('B', { n: 2 })] }] });
    const attacker = new Database(file);
    attacker.exec('DROP TRIGGER events_no_update');
    attacker.prepare(`UPDATE events SET data = '{"n":99}' WHERE stream_version = 2`).run();
    attacker.close();
    expect((await store.readStream('s'))[1].data).toEqual({ n: 99 });
  });

  it('given streams imported past the writer, then cached streams are read again', async () => {
    await store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent('A')] }] });
    const source = new SqliteEventStore(join(dir, 'source.sqlite'));
    await source.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent('A')] }] });
    await source.append({ writes: [{ streamId: 's', expectedVersion: 1, events: [testEvent('B')] }] });
    const events = await source.readStream('s');
    await source.close();
    const target = new SqliteEventStore(join(dir, 'target.sqlite'));
    try {
      await target.importEvents(events.slice(0, 1));
      expect(typesOf(await target.readStream('s'))).toEqual(['A']);
      await target.importEvents(events.slice(1));
      expect(typesOf(await target.readStream('s'))).toEqual(['A', 'B']);
      expect(await target.streamVersion('s')).toBe(2);
    } finally {
      await target.close();
    }
  });
});
