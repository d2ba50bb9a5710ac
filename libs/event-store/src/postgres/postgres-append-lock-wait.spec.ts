import { Client } from 'pg';
import { StoreUnavailableError } from '../event-store.errors';
import { testEvent } from '../testing';
import { withPostgresClient } from '../testing/postgres-test-server';
import { usePostgresTestServer } from '../testing/use-postgres-test-server';
import { verifyStore } from '../verify-store';
import { PostgresEventStore } from './postgres-event-store';

const server = usePostgresTestServer();

const appendOne = (store: PostgresEventStore, n: number) =>
  store.append({ writes: [{ streamId: `s-${n}`, expectedVersion: 0, events: [testEvent('Counted', { n })] }] });

/** Settles within `ms` or says it hung: a hung append would otherwise only show as the test's own timeout. */
const within = <T>(work: Promise<T>, ms: number): Promise<T> =>
  Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms).unref())]);

/** A session that holds the append lock and does nothing more: a stuck tool, or a process paused mid-transaction. */
const holdAppendLock = async (url: string): Promise<Client> => {
  const holder = new Client({ connectionString: url });
  await holder.connect();
  await holder.query(`SELECT pg_advisory_lock(hashtextextended('trial-ledger.append', 0))`);
  return holder;
};

describe('PostgresEventStore when another session holds the append lock', () => {
  it('given a stuck lock holder, when the store appends (first append and warm), then each append is refused as STORE.LOCKED (503) after the lock wait, writes nothing, readiness is red while the lock is held, and appends resume once the holder is gone', async () => {
    const url = await server.createDatabase();
    const store = await PostgresEventStore.connect(url, { appendLockTimeoutMs: 500 });
    try {
      // Given a first and a warm append before the lock is taken
      await appendOne(store, 1);
      const holder = await holdAppendLock(url);
      try {
        // When the warm process appends (one round trip), then it is refused within a bounded time
        const started = Date.now();
        await expect(within(appendOne(store, 2), 10_000)).rejects.toBeInstanceOf(StoreUnavailableError);
        expect(Date.now() - started).toBeLessThan(5_000);
        // and an append queued behind it is refused too, not left waiting (the locked read, after a failure)
        await expect(within(appendOne(store, 3), 10_000)).rejects.toMatchObject({ code: 'STORE.LOCKED', message: expect.stringMatching(/append lock/) });
        // and readiness says the store cannot write, for as long as the lock is held
        expect(await store.writeHealth()).toMatchObject({ writable: false, fault: 'STORE.LOCKED' });
        expect(await store.writeHealth()).toMatchObject({ writable: false, fault: 'STORE.LOCKED' });
      } finally {
        await holder.end();
      }
      expect(await store.writeHealth()).toEqual({ writable: true });
      // Then nothing was written while the lock was held, and the next append takes the next position
      expect((await store.head()).position).toBe(1);
      const next = await within(appendOne(store, 4), 10_000);
      expect(next.events[0].globalPosition).toBe(2);
      expect((await verifyStore(store)).ok).toBe(true);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('given a stuck lock holder, when several appends are queued at once, then they are all refused after about one lock wait, not one wait after another', async () => {
    const url = await server.createDatabase();
    const store = await PostgresEventStore.connect(url, { appendLockTimeoutMs: 1_000 });
    try {
      await appendOne(store, 1);
      const holder = await holdAppendLock(url);
      try {
        const started = Date.now();
        const outcomes = await within(Promise.allSettled([2, 3, 4, 5, 6, 7].map((n) => appendOne(store, n))), 20_000);
        const elapsed = Date.now() - started;
        expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code?: string }).code : 'written'))).toEqual(Array(6).fill('STORE.LOCKED'));
        // One wait of 1 s each, one after another, would take six
        expect(elapsed).toBeLessThan(4_000);
      } finally {
        await holder.end();
      }
      expect((await appendOne(store, 8)).events[0].globalPosition).toBe(2);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('given a database whose statement_timeout cancels a waiting append, then the refusal is STORE.UNAVAILABLE (503), not an internal error', async () => {
    const url = await server.createDatabase();
    await withPostgresClient(url, async (c) => c.query(`ALTER DATABASE ${c.escapeIdentifier(new URL(url).pathname.slice(1))} SET statement_timeout = '300ms'`));
    // A lock wait longer than the statement timeout: the server cancels the statement (57014) first
    const store = await PostgresEventStore.connect(url, { appendLockTimeoutMs: 5_000 });
    try {
      await appendOne(store, 1);
      const holder = await holdAppendLock(url);
      try {
        await expect(within(appendOne(store, 2), 10_000)).rejects.toBeInstanceOf(StoreUnavailableError);
      } finally {
        await holder.end();
      }
      expect((await appendOne(store, 3)).events[0].globalPosition).toBe(2);
    } finally {
      await store.close();
    }
  }, 60_000);
});

describe('PostgresEventStore when its pool is exhausted', () => {
  it('given every pooled connection busy for longer than the connection timeout, then reads and appends are refused as STORE.UNAVAILABLE (503), not an internal error, and work again once connections are returned', async () => {
    const store = await PostgresEventStore.connect(await server.createDatabase(), { poolSize: 2 });
    try {
      await appendOne(store, 1);
      // Long work on every connection of the pool (an export, a verification, slow reads)
      const busy = await Promise.all([store.connectionPool.connect(), store.connectionPool.connect()]);
      try {
        await expect(within(store.readStream('s-1'), 30_000)).rejects.toMatchObject({ code: 'STORE.UNAVAILABLE' });
        await expect(within(appendOne(store, 2), 30_000)).rejects.toMatchObject({ code: 'STORE.UNAVAILABLE' });
      } finally {
        for (const client of busy) client.release();
      }
      expect((await store.readStream('s-1')).length).toBe(1);
      expect((await appendOne(store, 3)).events[0].globalPosition).toBe(2);
    } finally {
      await store.close();
    }
  }, 90_000);
});

describe('PostgresEventStore when its database connection stops answering', () => {
  it('given the backend of its connection frozen (SIGSTOP: a hung server, a network partition), then appends and reads are refused as STORE.UNAVAILABLE after the query timeout, not left hanging, and go on over a new connection', async () => {
    const store = await PostgresEventStore.connect(await server.createDatabase(), { poolSize: 1, queryTimeoutMs: 2_000 });
    let frozen: number | null = null;
    try {
      await appendOne(store, 1);
      frozen = (await store.connectionPool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      process.kill(frozen, 'SIGSTOP');
      await expect(within(appendOne(store, 2), 20_000)).rejects.toMatchObject({ code: 'STORE.UNAVAILABLE' });
      // The pool dropped the connection: the next statements reach the server over a new one
      expect((await within(store.readStream('s-1'), 20_000)).length).toBe(1);
      expect((await within(appendOne(store, 3), 20_000)).events[0].globalPosition).toBe(2);
      expect((await verifyStore(store)).ok).toBe(true);
    } finally {
      if (frozen !== null) process.kill(frozen, 'SIGCONT');
      await store.close();
    }
  }, 90_000);
});
