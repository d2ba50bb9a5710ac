import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { startServer } from '../../apps/api/src/main';

describe('startServer (used by `trial-ledger serve`)', () => {
  it('given an open store, when started on port 0, then it listens on loopback and answers /health over real HTTP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trial-ledger-serve-'));
    const store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    const server = await startServer({ store, port: 0, logger: false });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${server.url}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok', info: { store: { status: 'up' }, readModels: { status: 'up' } } });
    } finally {
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['resolves', 200],
    ['is rejected', 500],
  ])('given servingFrom, a request that arrives while it is pending is answered only once it %s (%d)', async (_how, status) => {
    const dir = mkdtempSync(join(tmpdir(), 'trial-ledger-serve-'));
    const store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    let settle!: () => void;
    const servingFrom = new Promise<void>((resolve, reject) => (settle = status === 200 ? resolve : () => reject(new Error('start refused'))));
    const server = await startServer({ store, port: 0, logger: false, servingFrom });
    try {
      let answered = false;
      const pending = fetch(`${server.url}/health`).then((response) => ((answered = true), response));
      await new Promise((r) => setTimeout(r, 200));
      expect(answered).toBe(false);
      settle();
      expect((await pending).status).toBe(status);
    } finally {
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
