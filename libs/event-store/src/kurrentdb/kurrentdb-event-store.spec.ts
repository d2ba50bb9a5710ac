import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock } from '../clock';
import { migrateLedger } from '../migrate-ledger';
import { findIdempotencyRecord } from '../append/idempotent-repeat';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { ANY, NO_STREAM, UnavailableError, WrongExpectedVersionError } from '@kurrent/kurrentdb-client';
import { ConcurrencyError, StoreUnavailableError } from '../event-store.errors';
import { hashEvent } from '../hash-chain';
import { openEventStore } from '../open-event-store';
import { describeEventStoreContract, testEvent } from '../testing';
import { FakeKurrentDbClient } from '../testing/fake-kurrentdb-client';
import { verifyChain } from '../hash-chain';
import { KurrentDbEventStore } from './kurrentdb-event-store';
import {
  expectedVersionFromState,
  fromLedgerRecord,
  mapKurrentError,
  parseKurrentUrl,
  toLedgerEnvelope,
  toStreamState,
  versionFromRevision,
} from './kurrentdb-mapping';

const KURRENTDB_URL = process.env.KURRENTDB_URL;

if (KURRENTDB_URL) {
  describeEventStoreContract('kurrentdb', {
    // A fresh ledger stream and link-stream prefix per test: KurrentDB streams cannot be dropped for reuse.
    open: async () => {
      const tag = randomBytes(6).toString('hex');
      const separator = KURRENTDB_URL.includes('?') ? '&' : '?';
      return KurrentDbEventStore.connect(`${KURRENTDB_URL}${separator}ledgerStream=ledger-${tag}&streamPrefix=t${tag}-`, { pollMs: 50 });
    },
    // Over the network, 20 000 events still prove batched streaming without a five-minute test.
    largeLogSize: 20_000,
  });
} else {
  console.warn('KurrentDB contract suite NOT RUN: set KURRENTDB_URL=kurrentdb://host:2113?tls=false');
}

describe('KurrentDB mapping: stream versions ↔ KurrentDB stream states', () => {
  it('maps our 1-based counts to 0-based revisions: 0 ↔ NO_STREAM, n ↔ n − 1, any ↔ ANY', () => {
    expect(toStreamState(0)).toBe(NO_STREAM);
    expect(toStreamState(1)).toBe(0n);
    expect(toStreamState(42)).toBe(41n);
    expect(toStreamState('any')).toBe(ANY);
  });

  it('refuses versions that are not counts', () => {
    expect(() => toStreamState(-1)).toThrow(RangeError);
    expect(() => toStreamState(1.5)).toThrow(RangeError);
  });

  it('reads a current revision back as a count, and round-trips every count', () => {
    expect(versionFromRevision(NO_STREAM)).toBe(0);
    expect(versionFromRevision(0n)).toBe(1);
    expect(versionFromRevision(41n)).toBe(42);
    for (const n of [0, 1, 2, 1000]) expect(expectedVersionFromState(toStreamState(n))).toBe(n);
    expect(expectedVersionFromState(ANY)).toBe('any');
    expect(expectedVersionFromState('stream_exists')).toBe('any');
  });
});

describe('KurrentDB mapping: client errors → port errors', () => {
  it('turns WrongExpectedVersionError into ConcurrencyError with counts, not revisions', () => {
    const error = new WrongExpectedVersionError(undefined, { streamName: 'subject-S001', expected: 2n, current: 4n });
    const mapped = mapKurrentError(error);
    expect(mapped).toBeInstanceOf(ConcurrencyError);
    expect(mapped).toMatchObject({ code: 'CONCURRENCY.VERSION_CONFLICT', streamId: 'subject-S001', expectedVersion: 3, actualVersion: 5 });
  });

  it('maps a conflict on a stream that should not exist yet, and one on a stream that does not exist', () => {
    expect(mapKurrentError(new WrongExpectedVersionError(undefined, { streamName: 's', expected: NO_STREAM, current: 0n }))).toMatchObject({
      expectedVersion: 0,
      actualVersion: 1,
    });
    expect(mapKurrentError(new WrongExpectedVersionError(undefined, { streamName: 's', expected: 0n, current: NO_STREAM }))).toMatchObject({
      expectedVersion: 1,
      actualVersion: 0,
    });
  });

  it('turns the client UnavailableError (what reads throw) into StoreUnavailableError', () => {
    const mapped = mapKurrentError(new UnavailableError());
    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    expect(mapped).toMatchObject({ code: 'STORE.UNAVAILABLE' });
  });

  it('turns a raw gRPC 14 UNAVAILABLE ServiceError (what appends throw) into StoreUnavailableError, keeping the cause', () => {
    const raw = Object.assign(new Error('14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:2113'), {
      code: 14,
      details: 'No connection established',
      metadata: {},
    });
    const mapped = mapKurrentError(raw) as StoreUnavailableError;
    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    expect(mapped.message).toContain('14 UNAVAILABLE');
    expect(mapped.cause).toBe(raw);
  });

  it('treats a deadline exceeded and a not-leader answer as unavailable, and leaves other errors alone', () => {
    expect(mapKurrentError(Object.assign(new Error('4 DEADLINE_EXCEEDED'), { code: 4 }))).toBeInstanceOf(StoreUnavailableError);
    expect(mapKurrentError(Object.assign(new Error('not leader'), { type: 'not-leader' }))).toBeInstanceOf(StoreUnavailableError);
    const denied = Object.assign(new Error('Access denied'), { type: 'access-denied', code: 7 });
    expect(mapKurrentError(denied)).toBe(denied);
    const plain = new TypeError('bug');
    expect(mapKurrentError(plain)).toBe(plain);
  });
});

describe('KurrentDB mapping: URLs and the ledger envelope', () => {
  it('accepts kurrentdb:// and the legacy esdb://, strips our parameters and keeps credentials out of the description', () => {
    expect(parseKurrentUrl('kurrentdb://localhost:2113?tls=false')).toEqual({
      connectionString: 'kurrentdb://localhost:2113?tls=false',
      ledgerStream: 'trial-ledger',
      streamPrefix: '',
      description: 'kurrentdb://localhost:2113 (ledger stream trial-ledger)',
    });
    const legacy = parseKurrentUrl('esdb+discover://admin:changeit@node1:2113,node2:2113?tls=false&ledgerStream=lanr-ledger&streamPrefix=lanr-');
    expect(legacy.connectionString).toBe('kurrentdb+discover://admin:changeit@node1:2113,node2:2113?tls=false');
    expect(legacy).toMatchObject({ ledgerStream: 'lanr-ledger', streamPrefix: 'lanr-' });
    expect(legacy.description).not.toContain('changeit');
  });

  it('refuses a system stream as the ledger and a URL of another scheme', () => {
    expect(() => parseKurrentUrl('kurrentdb://h:2113?ledgerStream=$all')).toThrow(/system streams/);
    expect(() => parseKurrentUrl('postgres://h/db')).toThrow(RangeError);
  });

  it('round-trips a stored event through the ledger record, hash intact', () => {
    const unhashed = {
      ...testEvent('DoseAdministered', { mg: 0.1, big: 1e21 }),
      streamId: 'subject-S001',
      streamVersion: 3,
      globalPosition: 17,
      prevHash: 'a'.repeat(64),
      metadata: { ...testEvent().metadata, recordedAt: '2024-05-01T10:00:00.000Z' },
    };
    const event = { ...unhashed, hash: hashEvent(unhashed) };
    const envelope = JSON.parse(JSON.stringify(toLedgerEnvelope(event, { key: 'k', requestHash: 'h' })));
    const back = fromLedgerRecord({ id: event.eventId, type: event.type, revision: 16n, data: JSON.parse(JSON.stringify(event.data)), metadata: envelope });
    expect(back).toEqual(event);
    expect(hashEvent(back)).toBe(event.hash);
    expect(envelope.idempotency).toEqual({ key: 'k', requestHash: 'h' });
  });

  it('refuses a record in the ledger stream that was not written by trial-ledger', () => {
    expect(() => fromLedgerRecord({ id: 'x', type: 'Foreign', revision: 0n, data: {}, metadata: undefined })).toThrow(/not a trial-ledger event/);
  });
});

describe('KurrentDbEventStore without a server', () => {
  it('fails to open with STORE.UNAVAILABLE, through openEventStore for both schemes', async () => {
    for (const url of ['kurrentdb://127.0.0.1:1?tls=false', 'esdb://127.0.0.1:1?tls=false']) {
      await expect(openEventStore(url)).rejects.toMatchObject({ code: 'STORE.UNAVAILABLE' });
    }
  });

  it('refuses appends and reads with STORE.UNAVAILABLE', async () => {
    const store = new KurrentDbEventStore('kurrentdb://127.0.0.1:1?tls=false');
    try {
      await expect(store.append({ writes: [{ streamId: 's', expectedVersion: 0, events: [testEvent()] }] })).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.readStream('s')).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await store.close();
    }
  });
});

/*
 * The adapter's own logic (ledger index, retries after losing the ledger race to another process,
 * chain, idempotency, link streams) over an in-memory fake of the client that emulates the server's
 * expected-revision check. Unit-level: it says nothing about a real KurrentDB, which only the contract
 * run above (KURRENTDB_URL) exercises.
 */
describeEventStoreContract('kurrentdb adapter over an in-memory fake client (not a KurrentDB server)', {
  open: async () => KurrentDbEventStore.connect('kurrentdb://fake:2113?tls=false', { client: new FakeKurrentDbClient(), pollMs: 20 }),
  // The fake keeps the "server's" copy of the log in this process's heap, which the memory bound
  // would count; bounded streaming is proven against PostgreSQL, SQLite and a real KurrentDB.
  largeLogSize: 5_000,
});

describe('KurrentDbEventStore over a fake client shared by several "processes"', () => {
  it('keeps positions gapless and the chain valid when separate stores race for the ledger', async () => {
    // Given one fake server and four stores, each with its own ledger index (as four processes)
    const server = new FakeKurrentDbClient();
    const stores = await Promise.all(Array.from({ length: 4 }, () => KurrentDbEventStore.connect('kurrentdb://fake:2113?tls=false', { client: server })));
    // When each appends ten events to its own streams concurrently
    await Promise.all(
      stores.flatMap((store, s) => Array.from({ length: 10 }, (_, i) => store.append({ writes: [{ streamId: `p${s}-${i}`, expectedVersion: 0, events: [testEvent()] }] }))),
    );
    // Then every append landed once, at gapless positions, on one linear chain
    const all: StoredEventLike[] = [];
    for await (const e of stores[2].readAll()) all.push(e);
    expect(all.map((e) => e.globalPosition)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect((await verifyChain(stores[3].readAll())).ok).toBe(true);
    // And a store that did not write sees the others' streams after catching up
    expect(await stores[0].streamVersion('p3-9')).toBe(1);
    // And a stale expected version from a store that has not yet seen the other's append is refused
    await stores[1].append({ writes: [{ streamId: 'shared', expectedVersion: 0, events: [testEvent()] }] });
    await expect(stores[2].append({ writes: [{ streamId: 'shared', expectedVersion: 0, events: [testEvent()] }] })).rejects.toBeInstanceOf(ConcurrencyError);
    for (const store of stores) await store.close();
  });

  it('mirrors each stream as KurrentDB link events pointing into the ledger', async () => {
    const server = new FakeKurrentDbClient();
    const store = await KurrentDbEventStore.connect('kurrentdb://fake:2113?tls=false&streamPrefix=lanr-', { client: server });
    await store.append({ writes: [{ streamId: 'other', expectedVersion: 0, events: [testEvent()] }] });
    await store.append({ writes: [{ streamId: 'subject-S001', expectedVersion: 0, events: [testEvent(), testEvent()] }] });
    const links = server.streams.get('lanr-subject-S001') ?? [];
    expect(links.map((l) => [l.type, Buffer.from(l.data as Uint8Array).toString()])).toEqual([
      ['$>', '1@trial-ledger'],
      ['$>', '2@trial-ledger'],
    ]);
    await store.close();
  });
});

type StoredEventLike = { globalPosition: number };

describe('KurrentDbEventStore as a migration target (over a fake client)', () => {
  it('takes a SQLite ledger and gives it back identical: ids, positions, recordedAt, hashes, idempotency records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kurrent-migrate-'));
    const clock = new FixedClock('2024-02-01T10:00:00.000Z');
    const original = new SqliteEventStore(join(dir, 'a.sqlite'), { clock });
    const server = new FakeKurrentDbClient();
    const kurrent = await KurrentDbEventStore.connect('kurrentdb://fake:2113?tls=false', { client: server });
    const back = new SqliteEventStore(join(dir, 'b.sqlite'));
    try {
      for (let i = 0; i < 9; i += 1) {
        clock.advance(1000);
        await original.append({ writes: [{ streamId: `subject-S00${i % 3}`, expectedVersion: Math.floor(i / 3), events: [testEvent('E', { i })] }], idempotencyKey: `k${i}`, requestHash: `h${i}` });
      }
      await migrateLedger(original, kurrent, undefined, { batchSize: 4 });
      await migrateLedger(kurrent, back);
      const read = async (store: { readAll(): AsyncIterable<unknown> }): Promise<unknown[]> => {
        const out: unknown[] = [];
        for await (const e of store.readAll()) out.push(e);
        return out;
      };
      expect(await read(back)).toEqual(await read(original));
      expect(await findIdempotencyRecord(back, 'k4', 'u-1')).toEqual(await findIdempotencyRecord(original, 'k4', 'u-1'));
      // A new process on the same KurrentDB derives the keys from the migrated events and answers a retry once
      const restarted = await KurrentDbEventStore.connect('kurrentdb://fake:2113?tls=false', { client: server });
      const retry = await restarted.append({ writes: [{ streamId: 'subject-S001', expectedVersion: 0, events: [testEvent()] }], idempotencyKey: 'k4', requestHash: 'h4' });
      expect(retry).toMatchObject({ repeated: true, lastPosition: 5 });
      await restarted.close();
    } finally {
      await original.close();
      await kurrent.close();
      await back.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
