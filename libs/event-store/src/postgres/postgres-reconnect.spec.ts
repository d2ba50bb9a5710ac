import { StoreUnavailableError } from '../event-store.errors';
import type { StoredEvent } from '../event-envelope';
import { testEvent } from '../testing';
import { usePostgresTestServer } from '../testing/use-postgres-test-server';
import { PostgresEventStore } from './postgres-event-store';

const server = usePostgresTestServer();


const appendOne = (store: PostgresEventStore, n: number) => store.append({ writes: [{ streamId: `s-${n}`, expectedVersion: 0, events: [testEvent('Counted', { n })] }] });

/** Appends until one goes through: the pool reconnects by itself once the database is back. */
const appendWhenBack = async (store: PostgresEventStore, n: number, ms = 30_000): Promise<number> => {
  const start = Date.now();
  for (;;) {
    try {
      await appendOne(store, n);
      return Date.now() - start;
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || Date.now() - start > ms) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
};

const until = async (condition: () => boolean, ms = 30_000): Promise<void> => {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('PostgresEventStore across dropped connections and a database restart', () => {
  it('given a live subscription, when every backend is terminated and the database restarts, then appends fail as STORE.UNAVAILABLE, recover by themselves, and the subscription resumes without gap or repeat', async () => {
    const store = await PostgresEventStore.connect(await server.createDatabase(), { pollMs: 50 });
    const seen: StoredEvent[] = [];
    const errors: unknown[] = [];
    const subscription = store.subscribe({ afterPosition: 0, onEvent: (e) => void seen.push(e), onError: (e) => void errors.push(e) });
    try {
      for (let n = 1; n <= 5; n += 1) await appendOne(store, n);
      await until(() => seen.length === 5);

      // When every connection (pooled and the LISTEN one) is terminated
      expect(await server.terminateBackends()).toBeGreaterThan(0);
      await appendWhenBack(store, 6);
      // and the database stops as in a crash, stays down a second, and starts again
      const restarted = server.restart({ signal: 'SIGQUIT', downMs: 1000 });
      await new Promise((r) => setTimeout(r, 300));
      await expect(appendOne(store, 7)).rejects.toBeInstanceOf(StoreUnavailableError);
      await restarted;
      const recoveryMs = await appendWhenBack(store, 8);
      for (let n = 9; n <= 10; n += 1) await appendOne(store, n);

      // Then the subscription saw every event once, in order, and never reported a failure
      await until(() => seen.length === 9);
      expect(seen.map((e) => (e.data as { n: number }).n)).toEqual([1, 2, 3, 4, 5, 6, 8, 9, 10]);
      expect(seen.map((e) => e.globalPosition)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(errors).toEqual([]);
      expect(recoveryMs).toBeLessThan(15_000);
      await expect(subscription.waitFor(9)).resolves.toBeUndefined();
    } finally {
      await subscription.stop();
      await store.close();
    }
  }, 90_000);
});
