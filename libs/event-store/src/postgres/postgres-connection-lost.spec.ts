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
});
