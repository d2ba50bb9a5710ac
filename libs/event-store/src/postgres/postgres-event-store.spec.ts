import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FixedClock } from '../clock';
import { findIdempotencyRecord } from '../append/idempotent-repeat';
import { ConcurrencyError, InvalidAppendError, StoreUnavailableError } from '../event-store.errors';
import type { EventStore } from '../event-store.port';
import { canonicalJsonFromRaw, chainHash, hashEvent, verifyChain, verifyRawChain, type RawEventRecord } from '../hash-chain';
import { openEventStore } from '../open-event-store';
import { describeEventStoreContract, testEvent } from '../testing';
import { withPostgresClient as withClient } from '../testing/postgres-test-server';
import { usePostgresTestServer } from '../testing/use-postgres-test-server';
import { verifyStore } from '../verify-store';
import { PostgresEventStore, RAW_WINDOW_SQL } from './postgres-event-store';
import { MIGRATIONS } from './postgres-schema';
import { eventLeafHash, rangeRoot, storedRoot, verifyStoredTree } from '@trial-ledger/merkle';

const server = usePostgresTestServer();



const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
};

describeEventStoreContract('postgres', {
  open: async () => PostgresEventStore.connect(await server.createDatabase(), { pollMs: 50 }),
  // A fresh database per test; the embedded cluster (and every database in it) goes at afterAll.
  // 50 000, not 100 000: the contract's loop runs one `expect` per event, and that garbage alone
  // pushed the un-collected heap past its 64 MB bound in about half the runs at 100 000 (SQLite
  // peaks near 50 MB too). Holding 50 000 events would still exceed the bound; the 100 000-event
  // streaming proof without per-event `expect` is below.
  largeLogSize: 100_000,
});

describe('PostgresEventStore', () => {
  let url: string;
  const opened: EventStore[] = [];
  const open = async (options: Parameters<typeof PostgresEventStore.connect>[1] = {}): Promise<PostgresEventStore> => {
    const store = await PostgresEventStore.connect(url, options);
    opened.push(store);
    return store;
  };

  beforeEach(async () => {
    url = await server.createDatabase();
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  describe('schema', () => {
    it("given another application's tables in the schema and no ledger, when connected as a store, then STORE.NOT_A_LEDGER and nothing is created; another schema of that database can hold a ledger", async () => {
      // Given a database where another application keeps its tables (one of them named events)
      await withClient(url, async (c) => {
        await c.query('CREATE TABLE patients (id integer PRIMARY KEY, name text)');
        await c.query('CREATE TABLE events (id integer PRIMARY KEY, what text)');
      });
      const tables = () => withClient(url, async (c) => (await c.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map((r) => r.t));

      // When it is opened as a ledger (verify, migrate --to), then it is refused as SQLite refuses such a file, and left as it was
      await expect(PostgresEventStore.connect(url)).rejects.toMatchObject({ code: 'STORE.NOT_A_LEDGER' });
      expect(await tables()).toEqual(['events', 'patients']);

      // And a schema of its own in the same database holds a ledger (the README's search_path option)
      await withClient(url, (c) => c.query('CREATE SCHEMA trial_a'));
      const inSchema = await PostgresEventStore.connect(`${url}${url.includes('?') ? '&' : '?'}options=-c%20search_path%3Dtrial_a`);
      opened.push(inSchema);
      await inSchema.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent()] }] });
      expect((await inSchema.head()).position).toBe(1);
    });

    it('refuses a database whose encoding cannot hold every character the ledger records, before creating anything; UTF8 and SQL_ASCII keep the bytes', async () => {
      // Given a LATIN1 database: PostgreSQL would store "Émilie" but refuse "腫瘍" or an en dash (22P05)
      // at the first append that carries one, where SQLite records them
      const name = `latin1_${randomBytes(6).toString('hex')}`;
      await withClient(url, (c) => c.query(`CREATE DATABASE ${name} ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`));
      const latin1 = url.replace(/\/[^/?]+(\?|$)/, `/${name}$1`);
      await expect(PostgresEventStore.connect(latin1)).rejects.toMatchObject({ code: 'STORE.UNSUPPORTED_ENCODING', message: expect.stringMatching(/LATIN1.*UTF8/) });
      expect(await withClient(latin1, async (c) => (await c.query(`SELECT to_regclass('events')::text AS t`)).rows[0].t)).toBeNull();
      // A database holding a ledger schema (made by an earlier version) still opens, to be verified and migrated out
      await withClient(latin1, async (c) => {
        await c.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
        await c.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [MIGRATIONS[MIGRATIONS.length - 1].version, 'earlier']);
      });
      await (await PostgresEventStore.connect(latin1)).close();
      // SQL_ASCII stores the bytes it is given, and reads them back as written
      const ascii = `ascii_${randomBytes(6).toString('hex')}`;
      await withClient(url, (c) => c.query(`CREATE DATABASE ${ascii} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`));
      const store = await PostgresEventStore.connect(url.replace(/\/[^/?]+(\?|$)/, `/${ascii}$1`));
      opened.push(store);
      const written = await store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent('E', { note: 'Émilie – 腫瘍 😀' })] }] });
      expect(await store.readStream('s')).toEqual(written.events);
      expect(await verifyStore(store)).toMatchObject({ ok: true, headPosition: 1 });
    });

    it('records applied migrations in schema_migrations and applies each once, even when processes start together', async () => {
      // Given five processes connecting to an empty database at the same time
      await Promise.all(Array.from({ length: 5 }, () => open()));
      // Then the schema was created exactly once
      const rows = await withClient(url, async (c) => (await c.query('SELECT version, name FROM schema_migrations ORDER BY version')).rows);
      expect(rows).toEqual([
        { version: 1, name: 'events, idempotency keys, append-only triggers' },
        { version: 2, name: 'index of the events that carry an idempotency key' },
        { version: 3, name: 'RFC 9162 Merkle tree nodes, built from the events' },
        { version: 4, name: 'ledger_append: the append checked and written in one round trip' },
      ]);
      // And a later start finds nothing to do
      await open();
      const count = await withClient(url, async (c) => (await c.query('SELECT COUNT(*)::int AS n FROM schema_migrations')).rows[0].n);
      expect(count).toBe(4);
    });

    it('given a ledger written before the Merkle tree existed, when a new build connects, then the tree is built from its events', async () => {
      const store = await open();
      for (let i = 0; i < 9; i += 1) await store.append({ writes: [{ streamId: `old-${i % 2}`, expectedVersion: 'any', events: [testEvent(), testEvent()] }] });
      await withClient(url, (c) => c.query('DROP TABLE merkle_nodes; DROP FUNCTION ledger_append; DELETE FROM schema_migrations WHERE version >= 3'));
      const upgraded = await open();
      const hashes = (await collect(upgraded.readAll())).map((e) => e.hash);
      expect((await storedRoot({ treeNodes: (ids) => upgraded.treeNodes(ids) }, 18)).equals(rangeRoot(hashes.map(eventLeafHash)))).toBe(true);
      await expect(withClient(url, (c) => c.query('UPDATE merkle_nodes SET hash = hash'))).rejects.toThrow(/append-only/);
    });

    it('refuses to run against a schema newer than it knows', async () => {
      await open();
      await withClient(url, (c) => c.query(`INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')`));
      await expect(PostgresEventStore.connect(url)).rejects.toThrow(/newer than this build knows/);
    });
  });

  describe('serialised appends across connections', () => {
    it('keeps positions gapless and the chain valid when several separate pools append to different streams at once', async () => {
      // Given four stores, each with its own connection pool (as four API processes would have)
      const stores = await Promise.all(Array.from({ length: 4 }, () => open({ poolSize: 4 })));
      // When each appends 25 single events and 5 batches of 3 to its own streams, all concurrently
      await Promise.all(
        stores.flatMap((store, s) => [
          ...Array.from({ length: 25 }, (_, i) => store.append({ writes: [{ streamId: `p${s}-single-${i}`, expectedVersion: 0, events: [testEvent('One', { s, i })] }] })),
          ...Array.from({ length: 5 }, (_, i) =>
            store.append({ writes: [{ streamId: `p${s}-batch-${i}`, expectedVersion: 0, events: [testEvent('B'), testEvent('B'), testEvent('B')] }] }),
          ),
        ]),
      );
      // Then the log holds 4 × 40 events at positions 1..160 with no gap and an intact chain
      const all = await collect(stores[0].readAll());
      expect(all.map((e) => e.globalPosition)).toEqual(Array.from({ length: 160 }, (_, i) => i + 1));
      expect(await verifyChain(all)).toMatchObject({ ok: true, eventsChecked: 160 });
      // And the Merkle tree, extended by four processes in turn, matches the events
      async function* hashes(): AsyncIterable<string> {
        for (const e of all) yield e.hash;
      }
      expect(await verifyStoredTree(hashes(), { treeNodes: (ids) => stores[2].treeNodes(ids) })).toMatchObject({ ok: true, size: 160 });
      // And batches stayed contiguous: the three events of one append sit at consecutive positions
      for (let s = 0; s < 4; s += 1) {
        const batch = await stores[1].readStream(`p${s}-batch-0`);
        expect(batch[2].globalPosition - batch[0].globalPosition).toBe(2);
      }
    });

    it('lets exactly one writer win a race on the same stream across separate pools', async () => {
      const stores = await Promise.all(Array.from({ length: 5 }, () => open({ poolSize: 2 })));
      await stores[0].append({ writes: [{ streamId: 'race', expectedVersion: 0, events: [testEvent()] }] });
      const outcomes = await Promise.allSettled(
        stores.flatMap((store) => [1, 2].map(() => store.append({ writes: [{ streamId: 'race', expectedVersion: 1, events: [testEvent()] }] }))),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) expect(o.reason).toBeInstanceOf(ConcurrencyError);
      expect((await stores[3].head()).position).toBe(2);
    });
  });

  describe('the database keeps the ledger append-only', () => {
    it('refuses UPDATE, DELETE and TRUNCATE on events and idempotency keys by trigger, even for a superuser', async () => {
      const store = await open();
      await store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent()] }], idempotencyKey: 'k', requestHash: 'h' });
      await withClient(url, async (c) => {
        // A row as an earlier version wrote it (nothing writes idempotency_keys now; old rows stay protected)
        await c.query(`INSERT INTO idempotency_keys VALUES ('old', NULL, '[]', '{}', 1, '2024-01-01T00:00:00.000Z')`);
        await expect(c.query(`UPDATE events SET data = '{}'`)).rejects.toThrow(/append-only: UPDATE refused/);
        await expect(c.query('DELETE FROM events')).rejects.toThrow(/append-only: DELETE refused/);
        await expect(c.query('TRUNCATE events')).rejects.toThrow(/append-only: TRUNCATE refused/);
        await expect(c.query(`UPDATE idempotency_keys SET request_hash = 'x'`)).rejects.toThrow(/append-only/);
        await expect(c.query('DELETE FROM idempotency_keys')).rejects.toThrow(/append-only/);
        await expect(c.query('TRUNCATE idempotency_keys')).rejects.toThrow(/append-only/);
        expect((await c.query('SELECT COUNT(*)::int AS n FROM events')).rows[0].n).toBe(1);
      });
      expect((await verifyStore(store)).ok).toBe(true);
    });

    it('gives the role from grant-append-only-role.sql SELECT and INSERT only: it appends, and cannot change history even with the triggers dropped', async () => {
      // Given the schema created by the owner, and a login role set up with the shipped script
      const owner = await open();
      await owner.append({ writes: [{ streamId: 'before', expectedVersion: 0, events: [testEvent()] }] });
      const role = `ledger_app_${randomBytes(4).toString('hex')}`;
      const password = randomBytes(12).toString('hex');
      const script = readFileSync(join(__dirname, 'grant-append-only-role.sql'), 'utf8');
      await withClient(url, async (c) => {
        await c.query(`CREATE ROLE ${c.escapeIdentifier(role)} LOGIN PASSWORD '${password}'`);
        await c.query(script.replaceAll(':"app_role"', c.escapeIdentifier(role)));
      });
      const appUrl = new URL(url);
      appUrl.username = role;
      appUrl.password = password;
      try {
        // When the application connects as that role, it reads and appends normally
        const app = await PostgresEventStore.connect(appUrl.toString());
        opened.push(app);
        await app.append({ writes: [{ streamId: 'after', expectedVersion: 0, events: [testEvent()] }], idempotencyKey: 'k1', requestHash: 'h' });
        expect((await app.head()).position).toBe(2);
        expect(await findIdempotencyRecord(app, 'k1', 'u-1')).toMatchObject({ lastPosition: 2 });
        // And when the owner drops every append-only trigger
        await withClient(url, async (c) => {
          for (const [trigger, table] of [
            ['events_append_only', 'events'],
            ['events_no_truncate', 'events'],
            ['idempotency_keys_append_only', 'idempotency_keys'],
            ['idempotency_keys_no_truncate', 'idempotency_keys'],
          ]) {
            await c.query(`DROP TRIGGER ${trigger} ON ${table}`);
          }
        });
        // Then the role is still refused every change by privilege (SQLSTATE 42501)
        await withClient(appUrl.toString(), async (c) => {
          for (const sql of [
            `UPDATE events SET data = '{}'`,
            'DELETE FROM events',
            'TRUNCATE events',
            `UPDATE idempotency_keys SET request_hash = 'x'`,
            'DELETE FROM merkle_nodes',
            'DELETE FROM idempotency_keys',
            'TRUNCATE idempotency_keys',
            'DROP TABLE events',
            'CREATE TABLE shadow (x int)',
          ]) {
            await expect(c.query(sql)).rejects.toMatchObject({ code: '42501' });
          }
        });
        expect((await verifyStore(owner)).ok).toBe(true);
      } finally {
        for (const store of opened.splice(0)) await store.close();
        await withClient(url, async (c) => {
          await c.query(`DROP OWNED BY ${c.escapeIdentifier(role)}`);
          await c.query(`DROP ROLE ${c.escapeIdentifier(role)}`);
        });
      }
    });
  });

  describe('exact round trip of what was hashed', () => {
    it('stores data as canonical JSON text, so awkward numbers and strings verify from the stored bytes and after parsing', async () => {
      const store = await open({ clock: new FixedClock('2024-03-01T09:15:00.120Z') });
      const data = {
        big: 1e21,
        small: 5e-324,
        max: 1.7976931348623157e308,
        tenth: 0.1,
        sum: 0.30000000000000004,
        negativeZero: -0,
        unicode: 'Émilie → 腫瘍 😀 \u2028',
        nested: { z: 1, a: [3, 2, 1], m: null },
      };
      const [event] = (await store.append({ writes: [{ streamId: 'json', expectedVersion: 0, events: [testEvent('Awkward', data)] }] })).events;
      const [read] = await store.readStream('json');
      expect(read.data).toEqual(JSON.parse(JSON.stringify(data)));
      expect(read.metadata.recordedAt).toBe('2024-03-01T09:15:00.120Z');
      expect(hashEvent(read)).toBe(event.hash);
      const raw = await collect(store.readAllRaw());
      expect(raw[0].dataJson).toContain('"big":1e+21');
      expect(await verifyStore(store)).toMatchObject({ ok: true, eventsChecked: 1 });
    });

    it('detects an edit made behind the triggers back, at its position', async () => {
      const store = await open();
      for (let i = 0; i < 3; i += 1) await store.append({ writes: [{ streamId: 'e', expectedVersion: i, events: [testEvent('E', { dose: 100 })] }] });
      await withClient(url, async (c) => {
        await c.query('ALTER TABLE events DISABLE TRIGGER events_append_only');
        await c.query(`UPDATE events SET data = '{"dose":1000}' WHERE global_position = 2`);
      });
      expect(await verifyStore(store)).toMatchObject({ ok: false, fault: { position: 2, damage: 'content-altered' } });
      expect(await verifyChain(store.readAll())).toMatchObject({ ok: false, fault: { position: 2, damage: 'content-altered' } });
    });
  });

  describe('reading the log does not depend on table statistics', () => {
    it('touches one window of rows per batch on a table never analysed, not every remaining row', async () => {
      // Given 20 000 events just written (autovacuum has not analysed the table yet)
      const store = await open();
      // A slow machine must not let autovacuum analyse the table while it is being filled.
      await withClient(url, (c) => c.query('ALTER TABLE events SET (autovacuum_enabled = false)'));
      for (let b = 0; b < 20; b += 1) {
        await store.append({ writes: [{ streamId: `w-${b}`, expectedVersion: 0, events: Array.from({ length: 1000 }, (_, i) => testEvent('W', { i })) }] });
      }
      // When the first window of 1 000 positions is planned and run
      const plan = await withClient(url, async (c) => {
        const analysed = await c.query<{ n: string }>(`SELECT COALESCE(analyze_count + autoanalyze_count, 0) AS n FROM pg_stat_user_tables WHERE relname = 'events'`);
        expect(Number(analysed.rows[0]?.n ?? 0)).toBe(0);
        const explained = await c.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${RAW_WINDOW_SQL}`, [0, 1000]);
        return JSON.stringify(explained.rows[0]['QUERY PLAN']);
      });
      // Then no node of the plan handled more rows than the window holds (an open range with LIMIT
      // sorted all 20 000 here, for every batch)
      const actualRows = [...plan.matchAll(/"Actual Rows":\s*([\d.]+)/g)].map((m) => Number(m[1]));
      expect(actualRows.length).toBeGreaterThan(0);
      expect(Math.max(...actualRows)).toBeLessThanOrEqual(1000);
      // And the whole log still reads back in order across windows
      let n = 0;
      let outOfOrder = 0;
      for await (const e of store.readAllRaw({ batchSize: 1000 })) if (e.globalPosition !== ++n) outOfOrder += 1;
      expect({ n, outOfOrder }).toEqual({ n: 20_000, outOfOrder: 0 });
    }, 60_000);
  });

  describe('verification over parallel ranges (verifyChain)', () => {
    // 60 events over 5 streams; four ranges of 15 positions, read in windows of 4 positions, so
    // faults land inside windows, on window edges and on range edges.
    const RANGES = { ranges: 4, minRange: 1, batchSize: 4 };
    const fill = async (): Promise<PostgresEventStore> => {
      const store = await open();
      const versions = [0, 0, 0, 0, 0];
      for (let i = 0; i < 60; i += 1) {
        const s = (i * 7) % 5;
        await store.append({ writes: [{ streamId: `subject-${s}`, expectedVersion: versions[s], events: [testEvent('DoseAdministered', { i, doseMg: 120 })] }] });
        versions[s] += 1;
      }
      return store;
    };
    const tamper = (sql: string, values: unknown[] = []): Promise<unknown> =>
      withClient(url, async (c) => {
        await c.query('ALTER TABLE events DISABLE TRIGGER events_append_only');
        await c.query(sql, values);
      });
    /** Rewrites one event and recomputes its own hash, as a forger who knows the algorithm would. */
    const forge = async (store: PostgresEventStore, position: number, change: (r: RawEventRecord) => RawEventRecord): Promise<void> => {
      const [original] = await collect(store.readAllRaw({ afterPosition: position - 1, toPosition: position }));
      const forged = change(original);
      const hash = chainHash(forged.prevHash, canonicalJsonFromRaw(forged));
      await tamper('UPDATE events SET data = $2::json, stream_version = $3, hash = $4 WHERE global_position = $1', [position, forged.dataJson, forged.streamVersion, hash]);
    };
    /** The sequential verdicts (stored bytes, and parsed events) that the parallel one must equal. */
    const expectSameVerdict = async (store: PostgresEventStore) => {
      const sequential = await verifyRawChain(store.readAllRaw({ batchSize: 3 }));
      expect(await verifyChain(store.readAll())).toEqual(sequential);
      const parallel = await store.verifyChain(RANGES);
      expect(parallel).toEqual(sequential);
      expect(await verifyStore(store)).toEqual(sequential);
      return parallel;
    };

    it('given an intact log, then the parallel verdict equals the sequential one', async () => {
      const store = await fill();
      const head = await store.head();
      expect(await expectSameVerdict(store)).toEqual({ ok: true, eventsChecked: 60, headPosition: 60, headHash: head.hash, fault: null });
    });

    it.each([
      ['inside a window', 22],
      ['on the first position of a range', 31],
      ['on the last position of the log', 60],
    ])('given data edited %s, then content-altered is named at that position', async (_where, position) => {
      const store = await fill();
      await tamper(`UPDATE events SET data = '{"doseMg":1200}' WHERE global_position = $1`, [position]);
      expect((await expectSameVerdict(store)).fault).toMatchObject({ position, damage: 'content-altered' });
    });

    it('given the indexed recorded_at moved away from the hashed one, then that position is named', async () => {
      const store = await fill();
      await tamper(`UPDATE events SET recorded_at = '2000-01-01T00:00:00.000Z' WHERE global_position = 40`);
      expect((await expectSameVerdict(store)).fault).toMatchObject({ position: 40, damage: 'content-altered' });
    });

    it.each([
      ['one event inside a range', [9], 9],
      ['the last event of a range', [30], 30],
      ['the first event of a range', [16], 16],
      ['more than a window of events across a range edge', [13, 14, 15, 16, 17, 18, 19], 13],
    ])('given %s removed, then the first missing position is named', async (_what, removed, position) => {
      const store = await fill();
      await tamper('DELETE FROM events WHERE global_position = ANY($1::bigint[])', [removed]);
      const verdict = await expectSameVerdict(store);
      expect(verdict.fault).toMatchObject({ position, damage: 'position-gap' });
      expect(verdict.fault?.message).toContain(`next stored is ${Math.max(...removed) + 1}`);
    });

    it.each([
      ['inside a range', 24, 25],
      ['so that the broken link is the first position of a range', 45, 46],
    ])('given an event re-hashed after an edit %s, then its successor is named as chain-broken', async (_where, forgedAt, named) => {
      const store = await fill();
      await forge(store, forgedAt, (r) => ({ ...r, dataJson: '{"doseMg":1200}' }));
      expect((await expectSameVerdict(store)).fault).toMatchObject({ position: named, damage: 'chain-broken' });
    });

    it.each([
      ['inside a range', 27],
      ['on the first position of a range', 46],
    ])('given an event re-hashed with a stream version that skips, %s, then the version gap is named', async (_where, position) => {
      const store = await fill();
      // +1000 keeps UNIQUE (stream_id, stream_version) satisfied; later faults (the successor's link)
      // come after this position and must not be the one named.
      await forge(store, position, (r) => ({ ...r, streamVersion: r.streamVersion + 1000 }));
      expect((await expectSameVerdict(store)).fault).toMatchObject({ position, damage: 'stream-version-gap' });
    });
  });

  describe('bounded memory', () => {
    it('streams 100 000 events with readAll and readAllRaw while the retained heap stays within a few batches', async () => {
      // Retained memory, not garbage: without a collection before each sample the figure is mostly
      // whatever V8 has not yet bothered to collect. `gc` from a fresh context, global.gc untouched.
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      // Given 100 000 events of about 1 KB each (over 150 MB as parsed objects)
      const store = await open();
      const padding = 'x'.repeat(200);
      for (let b = 0; b < 100; b += 1) {
        await store.append({ writes: [{ streamId: `big-${b}`, expectedVersion: 0, events: Array.from({ length: 1000 }, (_, i) => testEvent('Big', { i, padding })) }] });
      }
      // When the whole log is streamed, parsed and raw, sampling the heap as it goes
      for (const stream of [() => store.readAll({ batchSize: 500 }), () => store.readAllRaw({ batchSize: 500 })]) {
        gc();
        const baseline = process.memoryUsage().heapUsed;
        let peak = baseline;
        let count = 0;
        let gaps = 0;
        let last = 0;
        for await (const event of stream()) {
          count += 1;
          if (event.globalPosition !== last + 1) gaps += 1;
          last = event.globalPosition;
          if (count % 5000 === 0) {
            gc();
            peak = Math.max(peak, process.memoryUsage().heapUsed);
          }
        }
        // Then every event came, in order, and the heap grew by far less than the log
        expect({ count, gaps }).toEqual({ count: 100_000, gaps: 0 });
        expect(peak - baseline).toBeLessThan(16 * 1024 * 1024);
      }
    }, 300_000);
  });

  describe('failures', () => {
    it('refuses an event id that is already stored and writes nothing', async () => {
      const store = await open();
      const event = testEvent();
      await store.append({ writes: [{ streamId: 'a', expectedVersion: 0, events: [event] }] });
      await expect(store.append({ writes: [{ streamId: 'b', expectedVersion: 0, events: [testEvent(), event] }] })).rejects.toBeInstanceOf(InvalidAppendError);
      expect((await store.head()).position).toBe(1);
      expect(await store.streamVersion('b')).toBe(0);
    });

    it('reports an unreachable server as STORE.UNAVAILABLE', async () => {
      const dead = new URL(url);
      dead.port = '1';
      await expect(PostgresEventStore.connect(dead.toString())).rejects.toMatchObject({ code: 'STORE.UNAVAILABLE' });
      await expect(PostgresEventStore.connect(dead.toString())).rejects.toBeInstanceOf(StoreUnavailableError);
    });
  });

  describe('subscriptions and wiring', () => {
    it('wakes a subscription by LISTEN/NOTIFY when another process appends (no polling)', async () => {
      // Given a subscriber whose poll interval is far longer than the test
      const reader = await open({ pollMs: 600_000 });
      const writer = await open();
      const seen: number[] = [];
      let caughtUp = 0;
      const subscription = reader.subscribe({ afterPosition: 0, onEvent: (e) => void seen.push(e.globalPosition), onCaughtUp: () => (caughtUp += 1) });
      await waitUntil(() => caughtUp > 0);
      await new Promise((r) => setTimeout(r, 200));
      // When another store (another pool, as another process would) appends
      const started = Date.now();
      await writer.append({ writes: [{ streamId: 'n', expectedVersion: 0, events: [testEvent()] }] });
      // Then the subscriber sees it promptly
      await subscription.waitFor(1);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(seen).toEqual([1]);
      await subscription.stop();
    });

    it('is opened by openEventStore for postgres:// and postgresql:// URLs, with the password kept out of its description', async () => {
      for (const scheme of ['postgres', 'postgresql']) {
        const store = await openEventStore(url.replace(/^postgres(ql)?/, scheme));
        opened.push(store);
        expect(store).toBeInstanceOf(PostgresEventStore);
        const password = new URL(url).password;
        expect(store.description).not.toContain(password);
        expect(store.description).toMatch(/^postgres(ql)?:\/\//);
      }
    });
  });
});

const waitUntil = async (condition: () => boolean, timeoutMs = 10_000): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};
