import { testEvent } from '../testing';
import { usePostgresTestServer } from '../testing/use-postgres-test-server';
import type { StoreWarning } from '../store-warning';
import { PostgresEventStore } from './postgres-event-store';

const server = usePostgresTestServer();

const until = async (condition: () => boolean, ms = 10_000): Promise<void> => {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('PostgresEventStore when the server drops an idle pooled connection', () => {
  it('given an idle connection in the pool, when the server terminates it, then one warning with STORE.CONNECTION_LOST and no password is reported, and the next append reconnects', async () => {
    const url = await server.createDatabase();
    const password = new URL(url).password;
    const warnings: StoreWarning[] = [];
    const store = await PostgresEventStore.connect(url, { poolSize: 1, onWarning: (w) => void warnings.push(w) });
    try {
      await store.append({ writes: [{ streamId: 's-1', expectedVersion: 0, events: [testEvent('Counted', { n: 1 })] }] });
      expect(await server.terminateBackends()).toBeGreaterThan(0);
      await until(() => warnings.length > 0);
      expect(warnings[0]).toEqual({ code: 'STORE.CONNECTION_LOST', message: expect.stringContaining('idle PostgreSQL connection') });
      if (password) expect(JSON.stringify(warnings)).not.toContain(password);
      await new Promise((r) => setTimeout(r, 200));
      expect(warnings.filter((w) => w.code === 'STORE.CONNECTION_LOST')).toHaveLength(1);
      await expect(store.append({ writes: [{ streamId: 's-2', expectedVersion: 0, events: [testEvent('Counted', { n: 2 })] }] })).resolves.toBeDefined();
    } finally {
      await store.close();
    }
  }, 60_000);

  it('given a connection in use by a query, when the server terminates it, then the query fails as STORE.UNAVAILABLE and one warning with STORE.CONNECTION_LOST says a connection in use was dropped', async () => {
    const url = await server.createDatabase();
    const password = new URL(url).password;
    const warnings: StoreWarning[] = [];
    const store = await PostgresEventStore.connect(url, { poolSize: 2, onWarning: (w) => void warnings.push(w) });
    try {
      const sleeping = store.serverState.query('SELECT pg_sleep(20)').then(
        () => 'answered',
        (error: { code?: string }) => error.code,
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(await server.terminateBackends()).toBeGreaterThan(0);
      expect(await sleeping).toBe('STORE.UNAVAILABLE');
      await until(() => warnings.length > 0);
      await new Promise((r) => setTimeout(r, 300));
      expect(warnings).toEqual([{ code: 'STORE.CONNECTION_LOST', message: expect.stringMatching(/PostgreSQL connection .* in use .*was dropped/) }]);
      if (password) expect(JSON.stringify(warnings)).not.toContain(password);
      await expect(store.append({ writes: [{ streamId: 's-1', expectedVersion: 0, events: [testEvent('Counted', { n: 1 })] }] })).resolves.toBeDefined();
    } finally {
      await store.close();
    }
  }, 60_000);

  it('given a subscription listening for appends, when the server terminates the LISTEN connection, then one warning with STORE.CONNECTION_LOST says so, and closing the store afterwards says nothing more', async () => {
    const url = await server.createDatabase();
    const warnings: StoreWarning[] = [];
    const store = await PostgresEventStore.connect(url, { poolSize: 1, pollMs: 200, onWarning: (w) => void warnings.push(w) });
    const seen: number[] = [];
    const subscription = store.subscribe({ afterPosition: 0, onEvent: (e) => void seen.push(e.globalPosition) });
    try {
      // The subscription opens its LISTEN connection as it starts.
      await new Promise((r) => setTimeout(r, 500));
      expect(await server.terminateBackends()).toBeGreaterThan(0);
      await until(() => warnings.some((w) => w.message.includes('LISTEN')));
      await new Promise((r) => setTimeout(r, 300));
      expect(warnings.filter((w) => w.message.includes('LISTEN'))).toEqual([{ code: 'STORE.CONNECTION_LOST', message: expect.stringContaining('LISTEN') }]);
    } finally {
      await subscription.stop();
      await store.close();
    }
    const before = warnings.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(warnings).toHaveLength(before);
  }, 60_000);
});
