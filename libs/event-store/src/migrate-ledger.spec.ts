import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { canonicalize } from 'json-canonicalize';
import { Client } from 'pg';
import { FixedClock } from './clock';
import { findIdempotencyRecord } from './append/idempotent-repeat';
import type { StoredEvent } from './event-envelope';
import { InvalidAppendError } from './event-store.errors';
import type { EventStore, IdempotencyRecord } from './event-store.port';
import { migrateLedger, LedgerMigrationError, type MigrationProgress } from './migrate-ledger';
import { PostgresEventStore } from './postgres/postgres-event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';
import { verifyStore } from './verify-store';
import { hashEvent } from './hash-chain';
import { testEvent } from './testing';
import { usePostgresTestServer } from './testing/use-postgres-test-server';

const server = usePostgresTestServer();
let dir: string;
const opened: EventStore[] = [];


beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-migrate-'));
});

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const sqlite = (name: string): SqliteEventStore => {
  const store = new SqliteEventStore(join(dir, name), { clock: new FixedClock('2024-01-15T08:00:00.000Z') });
  opened.push(store);
  return store;
};

const postgres = async (): Promise<PostgresEventStore> => {
  const store = await PostgresEventStore.connect(await server.createDatabase());
  opened.push(store);
  return store;
};

const everything = async (store: EventStore): Promise<StoredEvent[]> => {
  const out: StoredEvent[] = [];
  for await (const e of store.readAll()) out.push(e);
  return out;
};

const idempotencyRecords = async (store: SqliteEventStore | PostgresEventStore): Promise<IdempotencyRecord[]> => {
  const out: IdempotencyRecord[] = [];
  for await (const r of store.readIdempotencyRecords()) out.push(r);
  return out;
};

/** A small trial-shaped ledger: several streams, multi-stream appends, idempotency keys, awkward data, time moving on. */
const seed = async (store: SqliteEventStore, clock: FixedClock): Promise<void> => {
  for (let i = 0; i < 30; i += 1) {
    clock.advance(60_000);
    await store.append({
      writes: [
        { streamId: `subject-S${String(i % 7).padStart(3, '0')}`, expectedVersion: 'any', events: [testEvent('DoseAdministered', { mg: 0.1 * i, big: 1e21, note: 'Émilie 腫瘍' })] },
        ...(i % 5 === 0 ? [{ streamId: 'study-LANR', expectedVersion: 'any' as const, events: [testEvent('VisitScheduled', { i }), testEvent('VisitScheduled', { i })] }] : []),
      ],
      idempotencyKey: i % 3 === 0 ? `key-${i}` : null,
      requestHash: i % 3 === 0 ? `hash-${i}` : null,
    });
  }
};

describe('migrateLedger', () => {
  it('copies SQLite → PostgreSQL → SQLite with identical event ids, positions, recordedAt, hashes and idempotency records', async () => {
    // Given a SQLite ledger with 42 events over several streams
    const clock = new FixedClock('2024-01-15T08:00:00.000Z');
    const original = new SqliteEventStore(join(dir, 'original.sqlite'), { clock });
    opened.push(original);
    await seed(original, clock);
    const before = await everything(original);
    expect(before).toHaveLength(42);

    // When it is migrated to PostgreSQL, reporting progress, and from there back to a new SQLite file
    const progress: MigrationProgress[] = [];
    const pg = await postgres();
    const first = await migrateLedger(original, pg, (p) => progress.push(p), { batchSize: 10 });
    const copy = sqlite('copy.sqlite');
    const second = await migrateLedger(pg, copy);

    // Then every event is identical in all three stores, and all three chains verify to the same head
    expect(await everything(pg)).toEqual(before);
    expect(await everything(copy)).toEqual(before);
    expect(first).toMatchObject({ eventsCopied: 42, source: { ok: true }, target: { ok: true, headPosition: 42 } });
    expect(second.target.headHash).toBe(before[41].hash);
    expect(await pg.head()).toEqual(await original.head());
    expect(await copy.head()).toEqual(await original.head());
    expect(progress.map((p) => p.copied)).toEqual([10, 20, 30, 40, 42]);
    expect(progress.every((p) => p.total === 42)).toBe(true);
    // And idempotent outcomes travel in the events, so a client retry after the move is still answered once
    expect(await findIdempotencyRecord(copy, 'key-3', 'u-1')).toEqual(await findIdempotencyRecord(original, 'key-3', 'u-1'));
    expect(await idempotencyRecords(copy)).toEqual([]);
    const retried = await pg.append({ writes: [{ streamId: 'subject-S000', expectedVersion: 0, events: [testEvent()] }], idempotencyKey: 'key-3', requestHash: 'hash-3' });
    expect(retried.repeated).toBe(true);
    expect((await pg.head()).position).toBe(42);
    // And the stores carry on: the next append extends the migrated chain
    const next = await copy.append({ writes: [{ streamId: 'subject-S001', expectedVersion: 'any', events: [testEvent()] }] });
    expect(next.events[0]).toMatchObject({ globalPosition: 43, prevHash: before[41].hash });
  });

  it('refuses a target that is not empty', async () => {
    const source = sqlite('a.sqlite');
    await source.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent()] }] });
    const target = sqlite('b.sqlite');
    await target.append({ writes: [{ streamId: 't', expectedVersion: 0, events: [testEvent()] }] });
    await expect(migrateLedger(source, target)).rejects.toThrow(/already holds 1 events/);
  });

  it('given a copy that failed halfway (the target disk full), when migrate runs again once there is space, then it continues after what was copied and the copy is identical', async () => {
    const clock = new FixedClock('2024-01-15T08:00:00.000Z');
    const source = new SqliteEventStore(join(dir, 'source.sqlite'), { clock });
    opened.push(source);
    await seed(source, clock);
    const target = sqlite('target.sqlite');
    // A full disk after a few batches: SQLite refuses to grow the file past max_page_count
    const pages = target.database.pragma('page_count', { simple: true }) as number;
    target.database.pragma(`max_page_count = ${pages + 2}`);
    await expect(migrateLedger(source, target, undefined, { batchSize: 4 })).rejects.toMatchObject({ code: 'STORE.DISK_FULL' });
    const copiedBefore = (await target.head()).position;
    expect(copiedBefore).toBeGreaterThan(0);
    expect(copiedBefore).toBeLessThan((await source.head()).position);

    // When space is freed and the same migration runs again
    target.database.pragma('max_page_count = 1073741823');
    const report = await migrateLedger(source, target, undefined, { batchSize: 4 });

    // Then it copied only the rest, and the target holds the source's events exactly, its chain verified
    expect(report.resumedAfter).toBe(copiedBefore);
    expect(report.eventsCopied).toBe((await source.head()).position - copiedBefore);
    expect(report.target.ok).toBe(true);
    expect(await everything(target)).toEqual(await everything(source));
  });

  it('given a target holding the start of another ledger, when migrated into, then it is refused before anything is written', async () => {
    const source = sqlite('a.sqlite');
    for (let i = 0; i < 3; i += 1) await source.append({ writes: [{ streamId: 's', expectedVersion: i, events: [testEvent('E', { i })] }] });
    const target = sqlite('b.sqlite');
    await target.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent('E', { i: 0 })] }] });
    await expect(migrateLedger(source, target)).rejects.toThrow(/already holds 1 events that are not the start of/);
    expect((await target.head()).position).toBe(1);
    // nor one that holds more than the source
    const longer = sqlite('c.sqlite');
    await migrateLedger(source, longer);
    await longer.append({ writes: [{ streamId: 's', expectedVersion: 3, events: [testEvent('E', { i: 3 })] }] });
    await expect(migrateLedger(source, longer)).rejects.toThrow(/already holds 4 events/);
  });

  it('stops at the first damaged event of the source, naming its position', async () => {
    const source = sqlite('damaged.sqlite');
    for (let i = 0; i < 5; i += 1) await source.append({ writes: [{ streamId: 's', expectedVersion: i, events: [testEvent('E', { dose: 100 })] }] });
    await source.close();
    const raw = new Database(join(dir, 'damaged.sqlite'));
    raw.exec('DROP TRIGGER events_no_update');
    raw.prepare(`UPDATE events SET data = '{"dose":1000}' WHERE global_position = 4`).run();
    raw.close();
    const reopened = sqlite('damaged.sqlite');
    const target = await postgres();
    const failure = migrateLedger(reopened, target, undefined, { batchSize: 2 });
    await expect(failure).rejects.toBeInstanceOf(LedgerMigrationError);
    await expect(migrateLedger(reopened, await postgres(), undefined, { batchSize: 2 })).rejects.toThrow(/position 4 \(content-altered\)/);
    expect((await target.head()).position).toBeLessThan(4);
  });

  it('given a source whose stored bytes were altered without changing their meaning, when migrated, then it is refused at that position as verify reports it', async () => {
    // Given a SQLite ledger where position 3's data was re-spaced and position 4's hashed recordedAt moved (its column left alone)
    const source = sqlite('respaced.sqlite');
    for (let i = 0; i < 5; i += 1) await source.append({ writes: [{ streamId: 's', expectedVersion: i, events: [testEvent('E', { dose: 100, i })] }] });
    await source.close();
    const raw = new Database(join(dir, 'respaced.sqlite'));
    raw.exec('DROP TRIGGER events_no_update');
    raw.prepare(`UPDATE events SET data = '{ "dose": 100, "i": 2 }' WHERE global_position = 3`).run();
    raw.close();
    const reopened = sqlite('respaced.sqlite');
    expect(await verifyStore(reopened)).toMatchObject({ ok: false, fault: { position: 3, damage: 'content-altered' } });

    // When it is migrated, then the copy stops there, as verify does, and no clean-looking copy is made
    const target = await postgres();
    await expect(migrateLedger(reopened, target, undefined, { batchSize: 1 })).rejects.toThrow(/position 3 \(content-altered\)/);
    expect((await target.head()).position).toBeLessThan(3);
  });

  it('given a PostgreSQL source whose recordedAt inside the hashed metadata was edited by a superuser, when migrated, then it is refused at that position', async () => {
    const url = await server.createDatabase();
    const source = await PostgresEventStore.connect(url);
    opened.push(source);
    for (let i = 0; i < 4; i += 1) await source.append({ writes: [{ streamId: 's', expectedVersion: i, events: [testEvent('E', { i })] }] });
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query('ALTER TABLE events DISABLE TRIGGER USER');
      await admin.query(`UPDATE events SET metadata = replace(metadata::text, '"recordedAt":"', '"recordedAt":"1') ::json WHERE global_position = 2`);
      await admin.query('ALTER TABLE events ENABLE TRIGGER USER');
    } finally {
      await admin.end();
    }
    expect(await verifyStore(source)).toMatchObject({ ok: false, fault: { position: 2, damage: 'content-altered' } });
    await expect(migrateLedger(source, sqlite('from-pg.sqlite'))).rejects.toThrow(/position 2 \(content-altered\)/);
  });

  it('given a SQLite ledger an earlier version let hold a stream id with U+0000, when migrated to PostgreSQL, then it is refused naming the position, nothing of it written', async () => {
    // Given two events, the second on stream "s\u0000x" (SQLite keeps the character; appends refuse it now)
    const source = sqlite('nul.sqlite');
    await source.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent()] }] });
    const [first] = await everything(source);
    const second = { ...first, eventId: '01900000-0000-7000-8000-000000000002', streamId: 's\u0000x', streamVersion: 1, globalPosition: 2, prevHash: first.hash };
    const forged = { ...second, hash: hashEvent(second) };
    source.database
      .prepare('INSERT INTO events (global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(2, forged.eventId, forged.streamId, 1, forged.type, 1, canonicalize(forged.data), canonicalize(forged.metadata), forged.metadata.recordedAt, forged.prevHash, forged.hash);
    expect(await verifyStore(source)).toMatchObject({ ok: true, headPosition: 2 });

    // When it is migrated, then the importer names the event, as an append of it would be refused
    const target = await postgres();
    await expect(migrateLedger(source, target, undefined, { batchSize: 1 })).rejects.toThrow(/position 2: .*stream id .*U\+0000/);
    expect((await target.head()).position).toBe(1);
  });

  it('has importers refuse events that do not extend their chain', async () => {
    const source = sqlite('src.sqlite');
    await source.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent(), testEvent()] }] });
    const [one, two] = await everything(source);
    for (const target of [sqlite('dst.sqlite'), await postgres()]) {
      // A gap: position 2 without position 1
      await expect(target.importEvents([two])).rejects.toBeInstanceOf(InvalidAppendError);
      // Altered content
      await expect(target.importEvents([{ ...one, data: { forged: true } }])).rejects.toThrow(/position 1/);
      // Nothing was written by the refused imports, and a correct import goes through
      expect((await target.head()).position).toBe(0);
      await target.importEvents([one, two]);
      expect((await target.head()).hash).toBe(two.hash);
    }
  });
});
