import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreWriteError } from '../event-store.errors';
import { testEvent } from '../testing';
import { verifyStore } from '../verify-store';
import { SqliteEventStore } from './sqlite-event-store';

const appendOne = (store: SqliteEventStore, n: number) =>
  store.append({ writes: [{ streamId: `s-${n}`, expectedVersion: 0, events: [testEvent('Counted', { n })] }] });

/** The longest the event loop went without running a timer while `work` ran: a blocked loop answers no request. */
const longestStall = async <T>(work: Promise<T>): Promise<{ outcome: PromiseSettledResult<T>; stallMs: number }> => {
  let last = Date.now();
  let stallMs = 0;
  const ticker = setInterval(() => {
    stallMs = Math.max(stallMs, Date.now() - last);
    last = Date.now();
  }, 20);
  const [outcome] = await Promise.allSettled([work]);
  clearInterval(ticker);
  return { outcome, stallMs: Math.max(stallMs, Date.now() - last) };
};

describe('SqliteEventStore when another connection holds the write lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-write-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given a write transaction left open by another process past the lock wait, then the append is refused as STORE.LOCKED (503) without blocking the event loop, readiness is red until the lock is free, and nothing was written', async () => {
    const file = join(dir, 'ledger.sqlite');
    const store = new SqliteEventStore(file, { writeLockWaitMs: 1_500 });
    const other = new Database(file);
    try {
      await appendOne(store, 1);
      other.exec('BEGIN IMMEDIATE');
      const { outcome, stallMs } = await longestStall(appendOne(store, 2));
      expect(outcome.status).toBe('rejected');
      const error = (outcome as PromiseRejectedResult).reason as unknown;
      expect(error).toBeInstanceOf(StoreWriteError);
      expect(error).toMatchObject({ code: 'STORE.LOCKED' });
      // The server kept answering meanwhile: no wait of the whole lock wait inside one synchronous call
      expect(stallMs).toBeLessThan(1_000);
      expect(await store.writeHealth()).toMatchObject({ writable: false, fault: 'STORE.LOCKED' });
      expect(await store.writeHealth()).toMatchObject({ writable: false, fault: 'STORE.LOCKED' });
      other.exec('ROLLBACK');
      expect(await store.writeHealth()).toEqual({ writable: true });
      expect((await appendOne(store, 3)).events[0].globalPosition).toBe(2);
      expect((await verifyStore(store)).ok).toBe(true);
    } finally {
      other.close();
      await store.close();
    }
  }, 30_000);

  it('given a write transaction of another process that ends within the lock wait, then the append waits for it and is written after it', async () => {
    const file = join(dir, 'ledger.sqlite');
    const store = new SqliteEventStore(file, { writeLockWaitMs: 5_000 });
    const other = new Database(file);
    try {
      await appendOne(store, 1);
      other.exec('BEGIN IMMEDIATE');
      const appended = appendOne(store, 2);
      await new Promise((r) => setTimeout(r, 400));
      other.exec('COMMIT');
      expect((await appended).events[0].globalPosition).toBe(2);
      expect(await store.writeHealth()).toEqual({ writable: true });
    } finally {
      other.close();
      await store.close();
    }
  }, 30_000);
});
