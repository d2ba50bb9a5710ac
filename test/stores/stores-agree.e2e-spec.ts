import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FixedClock,
  findIdempotencyRecord,
  openEventStore,
  verifyStore,
  type AppendRequest,
  type EventStore,
  type StoredEvent,
} from '@trial-ledger/event-store';
import { KurrentDbEventStore } from '../../libs/event-store/src/kurrentdb/kurrentdb-event-store';
import { testEvent } from '../../libs/event-store/src/testing';
import { FakeKurrentDbClient } from '../../libs/event-store/src/testing/fake-kurrentdb-client';
import { startPostgresTestServer, type PostgresTestServer } from '../../libs/event-store/src/testing/postgres-test-server';

/**
 * One ledger, three stores: the same requests with the same event ids and the same clock must give
 * byte-identical envelopes and the same hash chain in every store, so a checkpoint signed over one
 * store verifies over any other and `LEDGER_STORE` is a deployment choice, not a data format.
 */
let server: PostgresTestServer;
let dir: string;

beforeAll(async () => {
  server = await startPostgresTestServer();
  dir = mkdtempSync(join(tmpdir(), 'stores-agree-'));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const script = (): AppendRequest[] => {
  const requests: AppendRequest[] = [];
  for (let i = 0; i < 12; i += 1) {
    requests.push({
      writes: [
        { streamId: `subject-S00${i % 4}`, expectedVersion: Math.floor(i / 4), events: [testEvent('DoseAdministered', { cycle: i, doseMg: 0.1 + i, unicode: 'Ünïcødé 腫瘍' })] },
        ...(i % 4 === 0 ? [{ streamId: 'study-LANR', expectedVersion: 'any' as const, events: [testEvent('VisitWindowOpened', { i })] }] : []),
      ],
      checks: i > 0 ? [{ streamId: 'study-LANR', expectedVersion: Math.floor((i - 1) / 4) + 1 }] : [],
      idempotencyKey: `req-${i}`,
      requestHash: `h-${i}`,
    });
  }
  return requests;
};

const replay = async (store: EventStore, requests: readonly AppendRequest[], clock: FixedClock): Promise<StoredEvent[]> => {
  for (const request of requests) {
    clock.advance(1_500);
    await store.append(request);
  }
  const out: StoredEvent[] = [];
  for await (const e of store.readAll()) out.push(e);
  return out;
};

describe('every store records the same ledger', () => {
  it('gives identical envelopes and hashes in SQLite, PostgreSQL and the KurrentDB adapter', async () => {
    const requests = script();
    const start = '2025-06-01T09:00:00.000Z';
    const clocks = { sqlite: new FixedClock(start), postgres: new FixedClock(start), kurrentdb: new FixedClock(start) };
    const stores: Record<keyof typeof clocks, EventStore> = {
      sqlite: await openEventStore(`sqlite:${join(dir, 'ledger.sqlite')}`, { clock: clocks.sqlite }),
      postgres: await openEventStore(await server.createDatabase(), { clock: clocks.postgres }),
      kurrentdb: await KurrentDbEventStore.connect('kurrentdb://fake:2113?tls=false', { client: new FakeKurrentDbClient(), clock: clocks.kurrentdb }),
    };
    try {
      const logs = {
        sqlite: await replay(stores.sqlite, requests, clocks.sqlite),
        postgres: await replay(stores.postgres, requests, clocks.postgres),
        kurrentdb: await replay(stores.kurrentdb, requests, clocks.kurrentdb),
      };
      expect(logs.sqlite).toHaveLength(15);
      expect(logs.postgres).toEqual(logs.sqlite);
      expect(logs.kurrentdb).toEqual(logs.sqlite);
      for (const store of Object.values(stores)) {
        expect(await verifyStore(store)).toMatchObject({ ok: true, headPosition: 15, headHash: logs.sqlite[14].hash });
        const owner = (await stores.sqlite.eventsWithIdempotencyKey('req-4'))[0].metadata.actor.userId;
        expect(await findIdempotencyRecord(store, 'req-4', owner)).toEqual(await findIdempotencyRecord(stores.sqlite, 'req-4', owner));
        expect(await findIdempotencyRecord(store, 'req-4', owner)).not.toBeNull();
        expect(await store.positionAt('2025-06-01T09:00:06.000Z')).toBe(5);
      }
    } finally {
      for (const store of Object.values(stores)) await store.close();
    }
  });
});
