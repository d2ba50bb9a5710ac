import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Client } from 'pg';
import { verifyStoredTree } from '@trial-ledger/merkle';
import { FixedClock } from '../clock';
import { ConcurrencyError } from '../event-store.errors';
import type { NewEvent } from '../event-envelope';
import type { AppendRequest, AppendResult } from '../event-store.port';
import type { RawEventRecord } from '../hash-chain';
import { testEvent } from '../testing';
import { withPostgresClient as withClient } from '../testing/postgres-test-server';
import { usePostgresTestServer } from '../testing/use-postgres-test-server';
import { verifyStore } from '../verify-store';
import { PostgresEventStore } from './postgres-event-store';

const server = usePostgresTestServer();


const opened: PostgresEventStore[] = [];
const open = async (url: string, options: Parameters<typeof PostgresEventStore.connect>[1] = {}): Promise<PostgresEventStore> => {
  const store = await PostgresEventStore.connect(url, options);
  opened.push(store);
  return store;
};

afterEach(async () => {
  jest.restoreAllMocks();
  for (const store of opened.splice(0)) await store.close();
});

const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
};


const merkleNodes = (url: string): Promise<unknown[]> =>
  withClient(url, async (c) => (await c.query(`SELECT level, idx::text, encode(hash, 'hex') AS hash FROM merkle_nodes ORDER BY level, idx`)).rows);

/** An append's outcome as a caller sees it: the answer, or the refusal's class and message. */
const outcome = async (append: Promise<AppendResult>): Promise<unknown> => {
  try {
    return { answer: await append };
  } catch (error) {
    return { refused: (error as Error).constructor.name, message: (error as Error).message };
  }
};

const streamArb = fc.constantFrom('a', 'b', 'c', 'd');
/** How far an expected version is from the stream's real one: mostly right, sometimes stale or ahead. */
const driftArb = fc.constantFrom(0, 0, 0, 0, -1, 1);
const valueArb = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(1e21, 5e-324, -0, '\u202e\u0000"\\', '__proto__', null, true),
);
const stepArb = fc.record({
  /** 'self' appends through the stores under test; 'other' through a second process on the same database (a stale head for 'self'). */
  writer: fc.constantFrom('self', 'self', 'other'),
  writes: fc.uniqueArray(fc.record({ stream: streamArb, events: fc.integer({ min: 1, max: 3 }), drift: driftArb, any: fc.boolean() }), {
    minLength: 1,
    maxLength: 2,
    selector: (w) => w.stream,
  }),
  check: fc.option(fc.record({ stream: streamArb, drift: driftArb })),
  /** Half the appends carry a key; with 30 keys over all runs some are fresh and some repeated or reused. */
  key: fc.option(fc.integer({ min: 1, max: 30 }).map((n) => `k${n}`), { freq: 2 }),
  requestHash: fc.constantFrom('h1', 'h2'),
  user: fc.constantFrom('u-1', 'u-2'),
  data: fc.dictionary(fc.string({ maxLength: 6 }), valueArb, { maxKeys: 3 }),
  clockMs: fc.integer({ min: -20, max: 200 }),
});

describe('PostgresEventStore: the append in one round trip (ledger_append)', () => {
  it('given the same requests through the one-round-trip append and the locked read, then both answer alike and store byte-identical rows, hashes and Merkle nodes that verify', async () => {
    // Given two databases: one written by one-round-trip stores, one by stores that read under the lock;
    // on each, a second store stands for another process (it moves the head under the first one's feet)
    const [fastUrl, lockedUrl] = [await server.createDatabase(), await server.createDatabase()];
    const clock = new FixedClock('2026-05-01T08:00:00.000Z');
    const fast = await open(fastUrl, { clock });
    const fastOther = await open(fastUrl, { clock });
    const locked = await open(lockedUrl, { clock, oneRoundTripAppend: false });
    const lockedOther = await open(lockedUrl, { clock, oneRoundTripAppend: false });
    let serial = 0;

    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 8 }), async (steps) => {
        for (const step of steps) {
          // The request is built once (ids, versions from the log as it is) and sent to both databases
          const versionOf = (stream: string): Promise<number> => fast.streamVersion(stream);
          const event = (): NewEvent => {
            serial += 1;
            const base = testEvent('Stepped', { ...step.data, serial });
            return { ...base, eventId: `ev-${serial}`, metadata: { ...base.metadata, actor: { ...base.metadata.actor, userId: step.user }, correlationId: `c-${serial}` } };
          };
          const request: AppendRequest = {
            writes: await Promise.all(
              step.writes.map(async (w) => ({
                streamId: w.stream,
                expectedVersion: w.any ? ('any' as const) : Math.max(0, (await versionOf(w.stream)) + w.drift),
                events: Array.from({ length: w.events }, event),
              })),
            ),
            checks: step.check === null ? [] : [{ streamId: step.check.stream, expectedVersion: Math.max(0, (await versionOf(step.check.stream)) + step.check.drift) }],
            ...(step.key === null ? {} : { idempotencyKey: step.key, requestHash: step.requestHash }),
          };
          clock.advance(step.clockMs);
          const [a, b] = step.writer === 'self' ? [fast, locked] : [fastOther, lockedOther];
          // Then both answer the same: the same events and hashes, or the same refusal
          expect(await outcome(a.append(request))).toEqual(await outcome(b.append(request)));
        }
        // And the stored bytes are the same on both databases
        const rows = async (store: PostgresEventStore): Promise<RawEventRecord[]> => collect(store.readAllRaw());
        expect(await rows(fast)).toEqual(await rows(locked));
        expect(await merkleNodes(fastUrl)).toEqual(await merkleNodes(lockedUrl));
      }),
      { numRuns: 25 },
    );

    // And the log verifies, and so does the tree against the events
    const verdict = await verifyStore(fast);
    expect(verdict).toMatchObject({ ok: true });
    expect(verdict.eventsChecked).toBeGreaterThan(0);
    async function* hashes(): AsyncIterable<string> {
      for await (const e of fast.readAllRaw()) yield e.hash;
    }
    expect(await verifyStoredTree(hashes(), { treeNodes: (ids) => fast.treeNodes(ids) })).toMatchObject({ ok: true });
  }, 240_000);

  it('given a process that wrote the head, then its next append is one query; after another process appended, two (the refused write, which returns the head and its Merkle frontier, and the write); a conflict, one', async () => {
    const url = await server.createDatabase();
    const store = await open(url);
    const other = await open(url);
    const append = (on: PostgresEventStore, stream: string, expectedVersion: number): Promise<AppendResult> =>
      on.append({ writes: [{ streamId: stream, expectedVersion, events: [testEvent()] }] });
    // The first append of a process learns the head under the lock
    await append(store, 's', 0);
    for (let i = 1; i < 20; i += 1) await append(other, `o-${i}`, 0);
    await append(store, 's', 1);

    const queries = jest.spyOn(Client.prototype, 'query');
    const warm = await append(store, 's', 2);
    expect(queries).toHaveBeenCalledTimes(1);
    expect(warm.lastPosition).toBe(22);

    await append(other, 'o-x', 0);
    queries.mockClear();
    const stale = await append(store, 's', 3);
    expect(queries).toHaveBeenCalledTimes(2);
    expect(stale.lastPosition).toBe(24);

    // And so at every head size (stored frontier nodes of level >= 4, the lower ones folded from the returned tail)
    let version = 4;
    for (const [i, size] of [1, 7, 16, 3, 29, 64, 5, 1, 2, 100, 15, 33, 8].entries()) {
      await other.append({ writes: [{ streamId: `bulk-${i}`, expectedVersion: 0, events: Array.from({ length: size }, () => testEvent()) }] });
      queries.mockClear();
      await append(store, 's', version);
      version += 1;
      expect(queries).toHaveBeenCalledTimes(2);
    }

    // And a stale expected version is refused after one more query that read the real one under the lock
    queries.mockClear();
    await expect(append(store, 's', 3)).rejects.toThrow(ConcurrencyError);
    expect(queries).toHaveBeenCalledTimes(1);

    // And a write with 'any' to an existing stream (assumed at version 0) takes two: the refused write, the write
    queries.mockClear();
    const any = await store.append({ writes: [{ streamId: 's', expectedVersion: 'any', events: [testEvent()] }] });
    expect(queries).toHaveBeenCalledTimes(2);
    expect(any.streamVersions).toEqual({ s: 18 });
    queries.mockRestore();

    // While the locked read takes four: BEGIN and the lock, the read, the insert, COMMIT
    const slow = await open(url, { oneRoundTripAppend: false });
    await append(slow, 't', 0);
    const lockedQueries = jest.spyOn(Client.prototype, 'query');
    await append(slow, 't', 1);
    expect(lockedQueries).toHaveBeenCalledTimes(4);
    expect((await verifyStore(store)).ok).toBe(true);
  });

  it('given several pools appending at once, then positions stay gapless, each race has one winner, a shared key is written once, and the chain and tree verify', async () => {
    const url = await server.createDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => open(url, { poolSize: 3 })));
    await stores[0].append({ writes: [{ streamId: 'race', expectedVersion: 0, events: [testEvent()] }] });
    const shared: AppendRequest = { writes: [{ streamId: 'keyed', expectedVersion: 0, events: [testEvent('Keyed')] }], idempotencyKey: 'once', requestHash: 'h' };
    // Each store: 20 appends to its own streams, one attempt at the race (all expect version 1), and the shared keyed append
    const own = stores.flatMap((store, s) =>
      Array.from({ length: 20 }, (_, i) => store.append({ writes: [{ streamId: `p${s}-${i % 5}`, expectedVersion: 'any', events: [testEvent('Own', { s, i })] }] })),
    );
    const races = stores.map((store) => outcome(store.append({ writes: [{ streamId: 'race', expectedVersion: 1, events: [testEvent()] }] })));
    const keyed = stores.map((store) => store.append(shared));
    await Promise.all(own);
    const raceOutcomes = (await Promise.all(races)) as { answer?: AppendResult; refused?: string }[];
    const keyedAnswers = await Promise.all(keyed);

    expect(raceOutcomes.filter((o) => o.answer)).toHaveLength(1);
    expect(raceOutcomes.filter((o) => o.refused).map((o) => o.refused)).toEqual(['ConcurrencyError', 'ConcurrencyError', 'ConcurrencyError']);
    expect(new Set(keyedAnswers.map((a) => a.lastPosition)).size).toBe(1);
    expect(keyedAnswers.filter((a) => !a.repeated)).toHaveLength(1);

    const all = await collect(stores[1].readAll());
    expect(all.map((e) => e.globalPosition)).toEqual(Array.from({ length: 1 + 80 + 1 + 1 }, (_, i) => i + 1));
    expect(await verifyStore(stores[2])).toMatchObject({ ok: true, eventsChecked: 83 });
    async function* hashes(): AsyncIterable<string> {
      for (const e of all) yield e.hash;
    }
    expect(await verifyStoredTree(hashes(), { treeNodes: (ids) => stores[3].treeNodes(ids) })).toMatchObject({ ok: true, size: 83 });
  }, 60_000);

  it('given the role from grant-append-only-role.sql on a database that revokes EXECUTE from PUBLIC, then it appends in one round trip and cannot replace or drop the function', async () => {
    const url = await server.createDatabase();
    const owner = await open(url);
    await owner.append({ writes: [{ streamId: 'before', expectedVersion: 0, events: [testEvent()] }] });
    const role = `ledger_app_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    const script = readFileSync(join(__dirname, 'grant-append-only-role.sql'), 'utf8');
    await withClient(url, async (c) => {
      await c.query('REVOKE EXECUTE ON FUNCTION ledger_append FROM PUBLIC');
      await c.query(`CREATE ROLE ${c.escapeIdentifier(role)} LOGIN PASSWORD '${password}'`);
      await c.query(script.replaceAll(':"app_role"', c.escapeIdentifier(role)));
    });
    const appUrl = new URL(url);
    appUrl.username = role;
    appUrl.password = password;
    try {
      const app = await open(appUrl.toString());
      await app.append({ writes: [{ streamId: 'app', expectedVersion: 0, events: [testEvent()] }] });
      const queries = jest.spyOn(Client.prototype, 'query');
      await app.append({ writes: [{ streamId: 'app', expectedVersion: 1, events: [testEvent()] }] });
      expect(queries).toHaveBeenCalledTimes(1);
      queries.mockRestore();
      await withClient(appUrl.toString(), async (c) => {
        await expect(c.query('DROP FUNCTION ledger_append')).rejects.toMatchObject({ code: '42501' });
        await expect(c.query(`ALTER FUNCTION ledger_append RENAME TO ledger_append_old`)).rejects.toMatchObject({ code: '42501' });
      });
      expect(await verifyStore(owner)).toMatchObject({ ok: true, eventsChecked: 3 });
    } finally {
      for (const store of opened.splice(0)) await store.close();
      await withClient(url, async (c) => {
        await c.query(`DROP OWNED BY ${c.escapeIdentifier(role)}`);
        await c.query(`DROP ROLE ${c.escapeIdentifier(role)}`);
      });
    }
  });

  it('given rows that do not extend the head the function is told about, then it refuses them before taking the lock and writes nothing', async () => {
    const url = await server.createDatabase();
    const store = await open(url);
    await store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent()] }] });
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      // The rows start at position 1 on a genesis hash, but the head named is position 5
      const zero = `repeat('0', 64)`;
      const call = client.query(
        `SELECT ledger_append(5, ${zero}, '{}', '{}', NULL, 0, '{1}', '{x}', '{s}', '{2}', '{T}', '{1}', '{"{}"}', '{"{}"}',
                              '{2026-01-01T00:00:00.000Z}', ARRAY[${zero}], ARRAY[${zero}], '{}', '{}', '{}', 'c')`,
      );
      await expect(call).rejects.toMatchObject({ code: '22023' });
    } finally {
      await client.end();
    }
    expect((await store.head()).position).toBe(1);
  });

  it('given a session whose default isolation is REPEATABLE READ (a snapshot older than the lock), then the function refuses to append', async () => {
    const url = await server.createDatabase();
    const store = await open(url);
    await store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent()] }] });
    const head = await store.head();
    await withClient(url, async (c) => {
      await c.query(`SET default_transaction_isolation = 'repeatable read'`);
      const call = c.query(
        `SELECT ledger_append(1, $1, '{}', '{}', NULL, 0, '{2}', '{x}', '{s}', '{2}', '{T}', '{1}', '{"{}"}', '{"{}"}',
                              '{2026-01-01T00:00:00.000Z}', ARRAY[$1], ARRAY[$1], '{}', '{}', '{}', 'c')`,
        [head.hash],
      );
      await expect(call).rejects.toMatchObject({ code: '25000', message: expect.stringContaining('READ COMMITTED') });
    });
    expect((await store.head()).position).toBe(1);
  });
});
