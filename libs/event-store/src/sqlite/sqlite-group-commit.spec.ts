import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ConcurrencyError, IdempotencyKeyReusedError, StoreUnavailableError } from '../event-store.errors';
import { testEvent } from '../testing';
import { verifyStore } from '../verify-store';
import { SqliteEventStore } from './sqlite-event-store';
import { SqliteGroupCommitWriter } from './sqlite-group-commit';

let dir: string;
let store: SqliteEventStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-group-'));
  store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Counts the write transactions SQLite commits (each is one fsync with synchronous=FULL) on connections
 * opened while it counts, from before the store opens: its writer may make its transaction functions
 * then, once, rather than per batch. `stop` puts better-sqlite3's `transaction` back.
 */
const countCommits = (): { commits: () => number; stop: () => void } => {
  let commits = 0;
  const original = Database.prototype.transaction;
  // Only outermost transactions end in COMMIT; nested ones are savepoints.
  const spy = jest.spyOn(Database.prototype, 'transaction').mockImplementation(function (this: Database.Database, fn) {
    const wrapped = original.call(this, fn);
    const outer = Object.assign((...args: unknown[]) => wrapped(...args), wrapped);
    outer.immediate = (...args: unknown[]) => {
      const result = wrapped.immediate(...args);
      commits += 1;
      return result;
    };
    return outer;
  } as typeof original);
  return { commits: () => commits, stop: () => spy.mockRestore() };
};

describe('SQLite group commit', () => {
  it('given 50 appends submitted in one event-loop turn, then they commit in one transaction with gapless positions and an intact chain', async () => {
    await store.close();
    const counting = countCommits();
    let results;
    try {
      store = new SqliteEventStore(join(dir, 'counted.sqlite'));
      const atOpen = counting.commits(); // the schema's migrations
      results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.append({ writes: [{ streamId: `subject-${i}`, expectedVersion: 0, events: [testEvent(), testEvent()] }] })),
      );
      expect(counting.commits() - atOpen).toBe(1);
    } finally {
      counting.stop();
    }
    expect(results.map((r) => r.lastPosition)).toEqual(Array.from({ length: 50 }, (_, i) => 2 * (i + 1)));
    const verification = await verifyStore(store);
    expect(verification).toMatchObject({ ok: true, eventsChecked: 100, headPosition: 100 });
  });

  it('given two appends to one stream in one batch expecting the same version, then the first is stored and only the second is refused', async () => {
    const first = store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent()] }] });
    const second = store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent()] }] });
    const third = store.append({ writes: [{ streamId: 'other', expectedVersion: 0, events: [testEvent()] }] });
    await expect(first).resolves.toMatchObject({ lastPosition: 1 });
    await expect(second).rejects.toBeInstanceOf(ConcurrencyError);
    // The refused append left no gap: the next one in the batch took position 2.
    await expect(third).resolves.toMatchObject({ lastPosition: 2 });
    expect((await store.readStream('s')).length).toBe(1);
    expect((await verifyStore(store)).ok).toBe(true);
  });

  it('given an append that expects the version written earlier in the same batch, then it is planned against the batch and stored', async () => {
    const first = store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent()] }] });
    const second = store.append({ writes: [{ streamId: 's', expectedVersion: 1, events: [testEvent()] }] });
    await expect(first).resolves.toMatchObject({ streamVersions: { s: 1 } });
    await expect(second).resolves.toMatchObject({ streamVersions: { s: 2 }, lastPosition: 2 });
  });

  it('given the same idempotency key twice in one batch, then the second is answered as a repeat, and a different request with that key is refused', async () => {
    const request = (hash: string) => ({
      writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent()] }],
      idempotencyKey: 'key-1',
      requestHash: hash,
    });
    const [a, b, c] = await Promise.allSettled([store.append(request('h1')), store.append(request('h1')), store.append(request('h2'))]);
    expect(a).toMatchObject({ status: 'fulfilled', value: { repeated: false, lastPosition: 1 } });
    expect(b).toMatchObject({ status: 'fulfilled', value: { repeated: true, lastPosition: 1 } });
    expect(c).toMatchObject({ status: 'rejected', reason: expect.any(IdempotencyKeyReusedError) });
    expect((await store.head()).position).toBe(1);
  });

  it('given a check before the write transaction that fails, then every append of the batch is refused with it and nothing is written', async () => {
    const refusal = new StoreUnavailableError('the ledger file was replaced');
    let written = 0;
    const writer = new SqliteGroupCommitWriter(
      store.database,
      () => {
        written += 1;
        throw new Error('must not be reached');
      },
      {
        beforeWriteTransaction: () => {
          throw refusal;
        },
      },
    );
    const outcomes = await Promise.allSettled([writer.submit({ writes: [] }), writer.submit({ writes: [] })]);
    expect(outcomes).toEqual([
      { status: 'rejected', reason: refusal },
      { status: 'rejected', reason: refusal },
    ]);
    expect(written).toBe(0);
  });

  it('given an error that ends the whole transaction, then every append of the batch is refused and none is acknowledged', async () => {
    let calls = 0;
    const writer = new SqliteGroupCommitWriter(store.database, () => {
      calls += 1;
      if (calls === 1) {
        store.database.prepare("INSERT INTO events (global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, prev_hash, hash) VALUES (1, 'e', 's', 1, 't', 1, '{}', '{}', 'x', 'p', 'h')").run();
        return { events: [], streamVersions: {}, lastPosition: 1, repeated: false };
      }
      store.database.exec('ROLLBACK');
      throw new Error('disk I/O error');
    });
    const outcomes = await Promise.allSettled([writer.submit({ writes: [] }), writer.submit({ writes: [] })]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect((await store.head()).position).toBe(0);
  });

  it('given appends pending when the store closes, then they are committed first', async () => {
    const pending = store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent()] }] });
    await store.close();
    await expect(pending).resolves.toMatchObject({ lastPosition: 1 });
    const reopened = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    expect((await reopened.head()).position).toBe(1);
    await reopened.close();
  });
});
