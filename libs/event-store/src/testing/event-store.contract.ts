import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { v7 as uuidv7 } from 'uuid';
import type { NewEvent, StoredEvent } from '../event-envelope';
import { findIdempotencyRecord } from '../append/idempotent-repeat';
import { ConcurrencyError, IdempotencyKeyReusedError, InvalidAppendError } from '../event-store.errors';
import type { EventStore } from '../event-store.port';
import { canonicalJsonFromRaw, chainHash, verifyChain, type RawEventRecord } from '../hash-chain';
import {
  eventLeafHash,
  rangeRoot,
  storedConsistencyProof,
  storedInclusionProof,
  storedRoot,
  verifyConsistency,
  verifyInclusion,
  verifyStoredTree,
  type NodeId,
} from '@trial-ledger/merkle';

/** A minimal valid event for contract tests. */
export const testEvent = (type = 'SomethingHappened', data: Record<string, unknown> = {}): NewEvent => ({
  eventId: uuidv7(),
  type,
  schemaVersion: 1,
  data,
  metadata: {
    actor: { userId: 'u-1', username: 'tester', fullName: 'Test User', role: 'coordinator' },
    reason: null,
    correlationId: uuidv7(),
    causationId: null,
    idempotencyKey: null,
    source: 'api',
    protocolVersion: 1,
  },
});

/** A handle on V8's collector without a `--expose-gc` flag on the test runner. */
const exposeGc = (): (() => void) => {
  setFlagsFromString('--expose_gc');
  return runInNewContext('gc') as () => void;
};

const collect = async (iterable: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> => {
  const out: StoredEvent[] = [];
  for await (const e of iterable) out.push(e);
  return out;
};

export interface ContractStoreFixture {
  /** A fresh, empty store. */
  open(): Promise<EventStore>;
  /** Removes what `open` created (files, schemas); called after each test. */
  cleanup?(): Promise<void>;
  /** Events for the large streaming test (KurrentDB over the network may use fewer). */
  largeLogSize?: number;
}

/**
 * The event store contract (SPEC §4): written once, run against every adapter on a real database.
 * An adapter that cannot reach its database fails these tests; it never passes them silently.
 */
export const describeEventStoreContract = (name: string, fixture: ContractStoreFixture): void => {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;

    beforeEach(async () => {
      store = await fixture.open();
    });

    afterEach(async () => {
      await store.close();
      await fixture.cleanup?.();
    });

    it('appends several events atomically and reads them back with versions, positions and a valid chain', async () => {
      const result = await store.append({ writes: [{ streamId: 's-1', expectedVersion: 0, events: [testEvent('A', { n: 1 }), testEvent('B', { n: 2 })] }] });
      expect(result.repeated).toBe(false);
      expect(result.events.map((e) => [e.streamVersion, e.globalPosition])).toEqual([[1, 1], [2, 2]]);
      expect(result.streamVersions).toEqual({ 's-1': 2 });
      const read = await store.readStream('s-1');
      expect(read.map((e) => e.type)).toEqual(['A', 'B']);
      expect(read[0].data).toEqual({ n: 1 });
      expect(read[1].prevHash).toBe(read[0].hash);
      expect(read[0].metadata.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(await store.streamVersion('s-1')).toBe(2);
      expect(await store.streamVersion('nope')).toBe(0);
      const verification = await verifyChain(store.readAll());
      expect(verification).toMatchObject({ ok: true, eventsChecked: 2, headPosition: 2 });
      expect((await store.head()).hash).toBe(read[1].hash);
    });

    it('refuses a stale expected version and writes nothing', async () => {
      await store.append({ writes: [{ streamId: 's-1', expectedVersion: 0, events: [testEvent()] }] });
      await expect(store.append({ writes: [{ streamId: 's-1', expectedVersion: 0, events: [testEvent()] }] })).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(store.append({ writes: [{ streamId: 's-1', expectedVersion: 5, events: [testEvent()] }] })).rejects.toMatchObject({
        code: 'CONCURRENCY.VERSION_CONFLICT',
        actualVersion: 1,
      });
      expect(await store.streamVersion('s-1')).toBe(1);
      expect((await store.head()).position).toBe(1);
    });

    it('refuses, writing nothing, an append whose stream id, event id, type or idempotency key cannot be kept as text; reads of such names find nothing', async () => {
      // PostgreSQL text cannot hold U+0000, and both drivers write a lone surrogate as U+FFFD: a column
      // beside the chain would differ from the hashed value, and the store would report its own log as altered.
      const unstorable = ['s\u0000x', 'x\ud800', '\udc00y'];
      for (const text of unstorable) {
        const refusals = [
          () => store.append({ writes: [{ streamId: text, expectedVersion: 0, events: [testEvent()] }] }),
          () => store.append({ writes: [{ streamId: 'ok', expectedVersion: 0, events: [{ ...testEvent(), eventId: text }] }] }),
          () => store.append({ writes: [{ streamId: 'ok', expectedVersion: 0, events: [testEvent(`T${text}`)] }] }),
          () => store.append({ writes: [{ streamId: 'ok', expectedVersion: 0, events: [testEvent()] }], idempotencyKey: `k${text}`, requestHash: 'h' }),
          () => store.append({ writes: [{ streamId: 'ok', expectedVersion: 0, events: [testEvent()] }], checks: [{ streamId: text, expectedVersion: 0 }] }),
        ];
        for (const refusal of refusals) await expect(refusal()).rejects.toMatchObject({ code: 'STORE.INVALID_APPEND' });
        expect(await store.readStream(text)).toEqual([]);
        expect(await store.streamVersion(text)).toBe(0);
        expect(await store.getEvent(text)).toBeNull();
        expect(await store.eventsWithIdempotencyKey(text)).toEqual([]);
      }
      expect((await store.head()).position).toBe(0);
      // Free text inside data and metadata is JSON, escaped in the hashed bytes, and kept as it is
      const written = await store.append({ writes: [{ streamId: 'ok', expectedVersion: 0, events: [testEvent('T', { text: unstorable.join('|') })] }] });
      expect((await store.readStream('ok'))[0]).toEqual(written.events[0]);
      expect(await verifyChain(store.readAll())).toMatchObject({ ok: true, headPosition: 1 });
    });

    it('writes several streams all or nothing, and honours read-set checks', async () => {
      await store.append({ writes: [{ streamId: 'a', expectedVersion: 0, events: [testEvent()] }] });
      await expect(
        store.append({
          writes: [
            { streamId: 'b', expectedVersion: 0, events: [testEvent()] },
            { streamId: 'a', expectedVersion: 0, events: [testEvent()] },
          ],
        }),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await store.streamVersion('b')).toBe(0);
      await expect(
        store.append({ writes: [{ streamId: 'b', expectedVersion: 0, events: [testEvent()] }], checks: [{ streamId: 'a', expectedVersion: 0 }] }),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await store.streamVersion('b')).toBe(0);
      const ok = await store.append({
        writes: [
          { streamId: 'b', expectedVersion: 0, events: [testEvent()] },
          { streamId: 'c', expectedVersion: 'any', events: [testEvent(), testEvent()] },
        ],
        checks: [{ streamId: 'a', expectedVersion: 1 }],
      });
      expect(ok.streamVersions).toEqual({ b: 1, c: 2 });
      expect((await store.head()).position).toBe(4);
    });

    it('lets exactly one of 20 concurrent appends with the same expected version win', async () => {
      await store.append({ writes: [{ streamId: 'race', expectedVersion: 0, events: [testEvent()] }] });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => store.append({ writes: [{ streamId: 'race', expectedVersion: 1, events: [testEvent('Raced', { i })] }] })),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(19);
      for (const l of lost) expect(l.reason).toBeInstanceOf(ConcurrencyError);
      expect(await store.streamVersion('race')).toBe(2);
      expect((await verifyChain(store.readAll())).ok).toBe(true);
    });

    it('returns the first outcome for a repeated idempotency key and refuses the key with another body', async () => {
      const first = await store.append({ writes: [{ streamId: 'i', expectedVersion: 0, events: [testEvent('X')] }], idempotencyKey: 'key-1', requestHash: 'h1' });
      const again = await store.append({ writes: [{ streamId: 'i', expectedVersion: 0, events: [testEvent('X')] }], idempotencyKey: 'key-1', requestHash: 'h1' });
      expect(again.repeated).toBe(true);
      expect(again.events.map((e) => e.eventId)).toEqual(first.events.map((e) => e.eventId));
      expect(again.lastPosition).toBe(first.lastPosition);
      expect((await store.head()).position).toBe(1);
      await expect(
        store.append({ writes: [{ streamId: 'i', expectedVersion: 1, events: [testEvent('Y')] }], idempotencyKey: 'key-1', requestHash: 'h2' }),
      ).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
      expect((await store.head()).position).toBe(1);
      const record = await findIdempotencyRecord(store, 'key-1', 'u-1');
      expect(record).toMatchObject({ key: 'key-1', userId: 'u-1', requestHash: 'h1', eventIds: first.events.map((e) => e.eventId), lastPosition: 1 });
      expect(await findIdempotencyRecord(store, 'unknown', 'u-1')).toBeNull();
    });

    it('keeps the idempotency record in the chained events: key and request fingerprint in the hashed metadata', async () => {
      const first = await store.append({
        writes: [{ streamId: 'a', expectedVersion: 0, events: [testEvent('X')] }, { streamId: 'b', expectedVersion: 0, events: [testEvent('Y'), testEvent('Z')] }],
        idempotencyKey: 'key-m',
        requestHash: 'hm',
      });
      const stored = await collect(store.readAll());
      expect(stored.map((e) => [e.metadata.idempotencyKey, e.metadata.requestHash])).toEqual([['key-m', 'hm'], ['key-m', 'hm'], ['key-m', 'hm']]);
      expect((await verifyChain(store.readAll())).ok).toBe(true);
      expect(await findIdempotencyRecord(store, 'key-m', 'u-1')).toEqual({
        key: 'key-m',
        userId: 'u-1',
        requestHash: 'hm',
        eventIds: first.events.map((e) => e.eventId),
        streamVersions: { a: 1, b: 2 },
        lastPosition: 3,
        recordedAt: first.events[0].metadata.recordedAt,
      });
    });

    it('scopes idempotency keys to the acting user: the same key from another user is another key', async () => {
      const other = (event: NewEvent): NewEvent => ({ ...event, metadata: { ...event.metadata, actor: { ...event.metadata.actor, userId: 'u-2', username: 'other' } } });
      const first = await store.append({ writes: [{ streamId: 'k', expectedVersion: 0, events: [testEvent('First')] }], idempotencyKey: 'shared', requestHash: 'h' });
      const second = await store.append({ writes: [{ streamId: 'k', expectedVersion: 1, events: [other(testEvent('Second'))] }], idempotencyKey: 'shared', requestHash: 'h' });
      expect(second.repeated).toBe(false);
      expect(second.events[0]).toMatchObject({ type: 'Second', globalPosition: 2 });
      expect((await findIdempotencyRecord(store, 'shared', 'u-2'))?.eventIds).toEqual([second.events[0].eventId]);
      expect((await findIdempotencyRecord(store, 'shared', 'u-1'))?.eventIds).toEqual([first.events[0].eventId]);
      const again = await store.append({ writes: [{ streamId: 'k', expectedVersion: 2, events: [other(testEvent('Third'))] }], idempotencyKey: 'shared', requestHash: 'h' });
      expect(again).toMatchObject({ repeated: true, lastPosition: 2 });
      await expect(
        store.append({ writes: [{ streamId: 'k', expectedVersion: 2, events: [testEvent(), other(testEvent())] }], idempotencyKey: 'mixed' }),
      ).rejects.toBeInstanceOf(InvalidAppendError);
      expect((await store.head()).position).toBe(2);
    });

    it('reads a stream as of a global position and as known at a recording instant', async () => {
      await store.append({ writes: [{ streamId: 't', expectedVersion: 0, events: [testEvent('One')] }] });
      await store.append({ writes: [{ streamId: 'other', expectedVersion: 0, events: [testEvent('Other')] }] });
      const second = await store.append({ writes: [{ streamId: 't', expectedVersion: 1, events: [testEvent('Two')] }] });
      expect((await store.readStream('t', { toPosition: 2 })).map((e) => e.type)).toEqual(['One']);
      expect((await store.readStream('t', { toPosition: 3 })).map((e) => e.type)).toEqual(['One', 'Two']);
      const secondAt = second.events[0].metadata.recordedAt;
      const before = new Date(Date.parse(secondAt) - 1).toISOString();
      const known = await store.readStream('t', { asKnownAt: before });
      expect(known.every((e) => e.metadata.recordedAt <= before)).toBe(true);
      expect((await store.readStream('t', { asKnownAt: secondAt })).map((e) => e.type)).toEqual(['One', 'Two']);
      expect(await store.positionAt(secondAt)).toBe(3);
      expect(await store.positionAt('2000-01-01T00:00:00.000Z')).toBe(0);
      expect(await store.getEvent(second.events[0].eventId)).toMatchObject({ type: 'Two', globalPosition: 3 });
      expect(await store.getEvent('00000000-0000-7000-8000-000000000000')).toBeNull();
    });

    it('reads the log from a position and up to a position', async () => {
      for (let i = 0; i < 5; i += 1) await store.append({ writes: [{ streamId: `r-${i}`, expectedVersion: 0, events: [testEvent('E', { i })] }] });
      const tail = await collect(store.readAll({ afterPosition: 2, batchSize: 2 }));
      expect(tail.map((e) => e.globalPosition)).toEqual([3, 4, 5]);
      const middle = await collect(store.readAll({ afterPosition: 1, toPosition: 3 }));
      expect(middle.map((e) => e.globalPosition)).toEqual([2, 3]);
    });

    it('refuses (STORE.INVALID_READ) a position that is not a whole number from 0 or a batch size that is not one from 1, on every store alike', async () => {
      await store.append({ writes: [{ streamId: 'v', expectedVersion: 0, events: [testEvent()] }] });
      const drain = async (read: () => AsyncIterable<unknown>): Promise<void> => {
        for await (const _event of read()) void _event;
      };
      for (const position of [1.5, -1, 2 ** 63, 2 ** 64, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(store.readStream('v', { toPosition: position })).rejects.toMatchObject({ code: 'STORE.INVALID_READ' });
        await expect(drain(() => store.readAll({ toPosition: position }))).rejects.toMatchObject({ code: 'STORE.INVALID_READ' });
        await expect(drain(() => store.readAll({ afterPosition: position }))).rejects.toMatchObject({ code: 'STORE.INVALID_READ' });
        if (store.readAllRaw) await expect(drain(() => store.readAllRaw!({ afterPosition: position }))).rejects.toMatchObject({ code: 'STORE.INVALID_READ' });
      }
      for (const batchSize of [0, -1, 1.5, Number.NaN]) {
        await expect(drain(() => store.readAll({ batchSize }))).rejects.toMatchObject({ code: 'STORE.INVALID_READ' });
        if (store.readAllRaw) await expect(drain(() => store.readAllRaw!({ batchSize }))).rejects.toMatchObject({ code: 'STORE.INVALID_READ' });
      }
      // The bounds themselves are reads like any other.
      expect(await store.readStream('v', { toPosition: Number.MAX_SAFE_INTEGER })).toHaveLength(1);
      expect(await collect(store.readAll({ afterPosition: Number.MAX_SAFE_INTEGER }))).toEqual([]);
      expect(await collect(store.readAll({ afterPosition: 0, toPosition: 0, batchSize: 1 }))).toEqual([]);
    });

    it('refuses (STORE.INVALID_APPEND), writing nothing, a schema version that is not a whole number from 1 to 2^31 - 1', async () => {
      for (const schemaVersion of [0, -1, 1.5, 2 ** 31, 2 ** 53, Number.NaN]) {
        await expect(store.append({ writes: [{ streamId: 'sv', expectedVersion: 0, events: [{ ...testEvent(), schemaVersion }] }] })).rejects.toMatchObject({ code: 'STORE.INVALID_APPEND' });
      }
      expect((await store.head()).position).toBe(0);
      const highest = await store.append({ writes: [{ streamId: 'sv', expectedVersion: 0, events: [{ ...testEvent(), schemaVersion: 2 ** 31 - 1 }] }] });
      expect((await store.readStream('sv'))[0]).toEqual(highest.events[0]);
    });

    it('streams a large log in bounded memory', async () => {
      const total = fixture.largeLogSize ?? 100_000;
      const perBatch = 1000;
      const padding = 'x'.repeat(200);
      for (let b = 0; b < total / perBatch; b += 1) {
        await store.append({
          writes: [{ streamId: `big-${b}`, expectedVersion: 0, events: Array.from({ length: perBatch }, (_, i) => testEvent('Big', { i, padding })) }],
        });
      }
      // Measure what the iteration *retains* (heap after a full collection), not garbage awaiting collection.
      const gc = exposeGc();
      gc();
      const baseline = process.memoryUsage().heapUsed;
      let peak = baseline;
      let count = 0;
      let last = 0;
      for await (const event of store.readAll({ batchSize: 500 })) {
        count += 1;
        expect(event.globalPosition).toBe(last + 1);
        last = event.globalPosition;
        if (count % 20_000 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed);
        }
      }
      expect(count).toBe(total);
      // The whole log as objects would need well over 100 MB; streaming retains only a few batches.
      expect(peak - baseline).toBeLessThan(32 * 1024 * 1024);
    }, 300_000);

    it('runs a catch-up subscription from a checkpoint and follows new appends', async () => {
      for (let i = 0; i < 3; i += 1) await store.append({ writes: [{ streamId: 'sub', expectedVersion: i, events: [testEvent('S', { i })] }] });
      const seen: number[] = [];
      const subscription = store.subscribe({ afterPosition: 1, onEvent: (e) => void seen.push(e.globalPosition) });
      await subscription.waitFor(3);
      expect(seen).toEqual([2, 3]);
      await store.append({ writes: [{ streamId: 'sub', expectedVersion: 3, events: [testEvent('S', { i: 3 })] }] });
      await subscription.waitFor(4);
      expect(seen).toEqual([2, 3, 4]);
      await subscription.stop();
      const resumed: number[] = [];
      const again = store.subscribe({ afterPosition: 4, onEvent: (e) => void resumed.push(e.globalPosition) });
      await store.append({ writes: [{ streamId: 'sub', expectedVersion: 4, events: [testEvent('S', { i: 4 })] }] });
      await again.waitFor(5);
      await again.stop();
      expect(resumed).toEqual([5]);
    });

    it('runs the same subscription over the stored bytes where the store has them, record for record', async () => {
      if (!store.subscribeRaw) return;
      for (let i = 0; i < 3; i += 1) await store.append({ writes: [{ streamId: 'raw', expectedVersion: i, events: [testEvent('S', { i, text: 'ünï "quoted"' })] }] });
      const records: RawEventRecord[] = [];
      const subscription = store.subscribeRaw({ afterPosition: 1, onEvent: (r) => void records.push(r) });
      await subscription.waitFor(3);
      await store.append({ writes: [{ streamId: 'raw', expectedVersion: 3, events: [testEvent('S', { i: 3 })] }] });
      await subscription.waitFor(4);
      await subscription.stop();
      const parsed: StoredEvent[] = [];
      for await (const event of store.readAll({ afterPosition: 1 })) parsed.push(event);
      expect(records.map((r) => [r.globalPosition, r.hash, JSON.parse(r.dataJson)])).toEqual(parsed.map((e) => [e.globalPosition, e.hash, e.data]));
      // Each record hashes from its bytes alone, as `verify` checks it.
      expect(records.every((r) => chainHash(r.prevHash, canonicalJsonFromRaw(r)) === r.hash)).toBe(true);
    });

    it('keeps the RFC 9162 tree in the append transaction: every root and proof matches the events', async () => {
      const sizes = [1, 3, 2, 5, 1, 1, 4, 8, 2];
      for (const [i, size] of sizes.entries()) {
        await store.append({ writes: [{ streamId: `tree-${i % 3}`, expectedVersion: 'any', events: Array.from({ length: size }, () => testEvent()) }] });
        // A refused append must leave no node behind.
        await expect(store.append({ writes: [{ streamId: `tree-${i % 3}`, expectedVersion: 0, events: [testEvent()] }] })).rejects.toBeInstanceOf(ConcurrencyError);
      }
      await Promise.allSettled(Array.from({ length: 5 }, () => store.append({ writes: [{ streamId: 'tree-race', expectedVersion: 'any', events: [testEvent()] }] })));
      expect(store.treeNodes).toBeDefined();
      const source = { treeNodes: (ids: readonly NodeId[]) => (store.treeNodes as NonNullable<EventStore['treeNodes']>).call(store, ids) };
      const hashes = (await collect(store.readAll())).map((e) => e.hash);
      const leaves = hashes.map(eventLeafHash);
      const n = leaves.length;
      expect(n).toBe(32);
      async function* each(): AsyncIterable<string> {
        yield* hashes;
      }
      expect(await verifyStoredTree(each(), source)).toMatchObject({ ok: true, size: n, root: rangeRoot(leaves).toString('hex') });
      for (let size = 1; size <= n; size += 1) {
        const root = await storedRoot(source, size);
        expect(root.equals(rangeRoot(leaves, 0, size))).toBe(true);
        expect(verifyConsistency(size, n, root, rangeRoot(leaves), await storedConsistencyProof(source, size, n))).toBe(true);
        expect(verifyInclusion(size - 1, n, leaves[size - 1], await storedInclusionProof(source, size - 1, n), rangeRoot(leaves))).toBe(true);
      }
    });

    it('stamps recordedAt on the server, never decreasing along the log', async () => {
      for (let i = 0; i < 10; i += 1) await store.append({ writes: [{ streamId: `m-${i % 3}`, expectedVersion: 'any', events: [testEvent()] }] });
      const all = await collect(store.readAll());
      for (let i = 1; i < all.length; i += 1) expect(all[i].metadata.recordedAt >= all[i - 1].metadata.recordedAt).toBe(true);
    });
  });
};
