import { availableParallelism, loadavg } from 'node:os';
import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { canonicalize } from 'json-canonicalize';
import { handleCommand, type CommandPlan } from '@trial-ledger/command-pipeline';
import { PostgresEventStore, verifyChain, verifyRawChain, verifyStore, type NewEvent, type StoredEvent } from '@trial-ledger/event-store';
import { startPostgresTestServer } from '../libs/event-store/src/testing/postgres-test-server';
import { benchActor, formatRate, printLines, type BenchLine } from './bench-format';

export interface PostgresBenchOptions {
  /** Single-event appends (one commit each). */
  readonly singleCommits?: number;
  /** Appends of 100 events (one commit each). */
  readonly batchCommits?: number;
  /** Size of the log that is read back and verified. */
  readonly verifyEvents?: number;
  /** Print the figures (default true); they are returned either way. */
  readonly print?: boolean;
}

/** A dose-sized payload, as the pipeline would store it. */
const doseEvent = (i: number): NewEvent => ({
  eventId: uuidv7(),
  type: 'DoseAdministered',
  schemaVersion: 1,
  data: { cycle: i, administeredOn: '2026-03-02', doseMg: 120, route: 'deep-sc', lotNumber: `L${i % 97}`, injectionSite: 'left upper outer buttock' },
  metadata: { actor: benchActor, reason: null, correlationId: uuidv7(), causationId: null, idempotencyKey: null, source: 'cli', protocolVersion: 1 },
});

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

/** Appends `commits` × `perCommit` events through the store (one commit each); returns the seconds taken. */
const storeAppends = async (store: PostgresEventStore, commits: number, perCommit: number, tag: string): Promise<number> => {
  const versions = new Map<string, number>();
  const start = process.hrtime.bigint();
  for (let c = 0; c < commits; c += 1) {
    const streamId = `subject-${tag}-S${String(c % 28).padStart(3, '0')}`;
    const expectedVersion = versions.get(streamId) ?? 0;
    await store.append({ writes: [{ streamId, expectedVersion, events: Array.from({ length: perCommit }, (_, i) => doseEvent(c * perCommit + i)) }] });
    versions.set(streamId, expectedVersion + perCommit);
  }
  return seconds(start);
};

/** A command that reads its stream, decides `size` events and appends them: the whole pipeline, as in the SQLite bench. */
const benchPlan = (streamId: string, size: number, offset: number): CommandPlan => ({
  primaryStream: streamId,
  readStreams: [],
  decide: () => ({ writes: [{ streamId, events: Array.from({ length: size }, (_, i) => ({ type: 'DoseAdministered', data: doseEvent(offset + i).data })) }], protocolVersion: 1 }),
});

const pipelineAppends = async (store: PostgresEventStore, commits: number, perCommit: number, tag: string): Promise<number> => {
  const start = process.hrtime.bigint();
  for (let c = 0; c < commits; c += 1) {
    await handleCommand(store, benchPlan(`subject-${tag}-S${String(c % 28).padStart(3, '0')}`, perCommit, c * perCommit), { actor: benchActor, source: 'cli' });
  }
  return seconds(start);
};

const percentOf = (rate: number, raw: number): string => `${((100 * rate) / raw).toFixed(0)} % of raw`;

/**
 * The same rows, already hashed, inserted with plain `pg` into a copy of the table without triggers,
 * lock or chain: the floor the store's overhead is measured against (same server, same durability).
 * Returns the seconds taken.
 */
const rawInserts = async (client: Client, rows: readonly StoredEvent[], perCommit: number): Promise<number> => {
  const start = process.hrtime.bigint();
  for (let i = 0; i < rows.length; i += perCommit) {
    const chunk = rows.slice(i, i + perCommit);
    const column = <T>(pick: (e: StoredEvent) => T): T[] => chunk.map(pick);
    await client.query(
      `INSERT INTO raw_events (global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, prev_hash, hash)
       SELECT p, id, s, v, t, sv, d::json, m::json, r, ph, h
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
              AS x(p, id, s, v, t, sv, d, m, r, ph, h)`,
      [
        column((e) => e.globalPosition),
        column((e) => e.eventId),
        column((e) => e.streamId),
        column((e) => e.streamVersion),
        column((e) => e.type),
        column((e) => e.schemaVersion),
        column((e) => canonicalize(e.data)),
        column((e) => canonicalize(e.metadata)),
        column((e) => e.metadata.recordedAt),
        column((e) => e.prevHash),
        column((e) => e.hash),
      ],
    );
  }
  return seconds(start);
};

/** Seconds spent per variant, summed over the rounds. */
interface AppendTimes {
  raw: number;
  oneTrip: number;
  locked: number;
  pipeOneTrip: number;
  pipeLocked: number;
}

/**
 * Raw INSERTs, store appends and pipeline commands, each through the one-round-trip append and through
 * the locked read (four round trips, as before schema 4), interleaved in `rounds` rounds with the order
 * rotated: on a shared machine the load changes within a minute, and ratios of runs taken minutes apart
 * measured the load, not the store. The raw anchor inserts the rows the store just wrote, into a copy
 * of the table.
 */
const interleavedAppends = async (
  stores: { oneTrip: PostgresEventStore; locked: PostgresEventStore },
  raw: Client,
  commits: number,
  perCommit: number,
  rounds: number,
): Promise<AppendTimes> => {
  const times: AppendTimes = { raw: 0, oneTrip: 0, locked: 0, pipeOneTrip: 0, pipeLocked: 0 };
  const chunk = Math.max(1, Math.round(commits / rounds));
  for (let r = 0; r < rounds; r += 1) {
    const tag = `${perCommit}-r${r}`;
    const variants: (() => Promise<void>)[] = [
      async () => {
        const from = (await stores.oneTrip.head()).position;
        times.oneTrip += await storeAppends(stores.oneTrip, chunk, perCommit, `one-${tag}`);
        const rows = await readBack(stores.oneTrip, from, chunk * perCommit);
        times.raw += await rawInserts(raw, rows, perCommit);
      },
      async () => void (times.locked += await storeAppends(stores.locked, chunk, perCommit, `locked-${tag}`)),
      async () => void (times.pipeOneTrip += await pipelineAppends(stores.oneTrip, chunk, perCommit, `pipe-one-${tag}`)),
      async () => void (times.pipeLocked += await pipelineAppends(stores.locked, chunk, perCommit, `pipe-locked-${tag}`)),
    ];
    for (let v = 0; v < variants.length; v += 1) await variants[(v + r) % variants.length]();
  }
  const events = chunk * rounds * perCommit;
  return { raw: events / times.raw, oneTrip: events / times.oneTrip, locked: events / times.locked, pipeOneTrip: events / times.pipeOneTrip, pipeLocked: events / times.pipeLocked };
};

const readBack = async (store: PostgresEventStore, after: number, count: number): Promise<StoredEvent[]> => {
  const out: StoredEvent[] = [];
  for await (const e of store.readAll({ afterPosition: after, toPosition: after + count })) out.push(e);
  return out;
};

/**
 * `runPostgresBench()`: appends per second through the PostgreSQL store (single events and batches
 * of 100, each a durable commit: `synchronous_commit=on`, `fsync=on`) against raw `pg` INSERTs of the
 * same rows in the same run, and read + verify throughput. Uses `PG_URL` if set (a role that may
 * CREATE DATABASE), otherwise an embedded PostgreSQL under /tmp.
 */
export const runPostgresBench = async (options: PostgresBenchOptions = {}): Promise<BenchLine[]> => {
  const singleCommits = options.singleCommits ?? 1_000;
  const batchCommits = options.batchCommits ?? 100;
  const verifyEvents = options.verifyEvents ?? 100_000;
  const server = await startPostgresTestServer();
  const lines: BenchLine[] = [];
  try {
    const url = await server.createDatabase();
    const settings = new Client({ connectionString: url });
    await settings.connect();
    const durability = await settings.query<{ sc: string; fsync: string; version: string }>(
      `SELECT current_setting('synchronous_commit') AS sc, current_setting('fsync') AS fsync, current_setting('server_version') AS version`,
    );
    await settings.end();
    const { sc, fsync, version } = durability.rows[0];
    lines.push({ name: 'server', value: `PostgreSQL ${version}${process.env.PG_URL ? ' (PG_URL)' : ' (embedded, /tmp)'}, synchronous_commit=${sc}, fsync=${fsync}` });

    const store = await PostgresEventStore.connect(url);
    // The same appends through the locked read (four round trips per append, as before schema 4), in
    // the same run and on the same database: the one-round-trip figures are compared with it and with raw.
    const lockedStore = await PostgresEventStore.connect(url, { oneRoundTripAppend: false });
    const raw = new Client({ connectionString: url });
    await raw.connect();
    try {
      await raw.query('CREATE TABLE raw_events (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)');
      const stores = { oneTrip: store, locked: lockedStore };
      const load = loadavg()[0];
      const single = await interleavedAppends(stores, raw, singleCommits, 1, 10);
      const batch = await interleavedAppends(stores, raw, batchCommits, 100, 10);
      const vs = (rate: number, anchor: number, before: number): string =>
        `${formatRate(rate, 'events/s')}  = ${percentOf(rate, anchor)}, ${(rate / before).toFixed(2)}× the locked read`;
      const locked = (rate: number, anchor: number): string => `${formatRate(rate, 'events/s')}  = ${percentOf(rate, anchor)}`;
      lines.push(
        { name: 'load average (1 min) at the start / end', value: `${load.toFixed(2)} / ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores` },
        { name: 'raw pg INSERT, 1 row/commit', value: formatRate(single.raw, 'rows/s') },
        { name: 'store append, 1 event/commit, one round trip', value: vs(single.oneTrip, single.raw, single.locked) },
        { name: 'store append, 1 event/commit, locked read (4 round trips)', value: locked(single.locked, single.raw) },
        { name: 'pipeline, single-event commands, one round trip', value: vs(single.pipeOneTrip, single.raw, single.pipeLocked) },
        { name: 'pipeline, single-event commands, locked read', value: locked(single.pipeLocked, single.raw) },
        { name: 'raw pg INSERT, 100 rows/commit', value: formatRate(batch.raw, 'rows/s') },
        { name: 'store append, 100 events/commit, one round trip', value: vs(batch.oneTrip, batch.raw, batch.locked) },
        { name: 'store append, 100 events/commit, locked read', value: locked(batch.locked, batch.raw) },
        { name: 'pipeline, 100-event commands, one round trip', value: vs(batch.pipeOneTrip, batch.raw, batch.pipeLocked) },
        { name: 'pipeline, 100-event commands, locked read', value: locked(batch.pipeLocked, batch.raw) },
      );
      await raw.query('DROP TABLE raw_events');

      const have = (await store.head()).position;
      for (let c = 0; have + c * 1000 < verifyEvents; c += 1) {
        await store.append({ writes: [{ streamId: `fill-${c}`, expectedVersion: 0, events: Array.from({ length: 1000 }, (_, i) => doseEvent(i)) }] });
      }
      const total = (await store.head()).position;
      const events = total.toLocaleString('en-US');
      const timed = async (name: string, run: () => Promise<{ ok: boolean; fault: { message: string } | null }>): Promise<void> => {
        const start = process.hrtime.bigint();
        const verdict = await run();
        const rate = total / seconds(start);
        if (!verdict.ok) throw new Error(`the bench ledger does not verify: ${verdict.fault?.message}`);
        lines.push({ name: `read + verify ${events} events (${name})`, value: formatRate(rate, 'events/s') });
      };
      await timed('parsed events', () => verifyChain(store.readAll({ batchSize: 5000 })));
      await timed('stored bytes, one connection', () => verifyRawChain(store.readAllRaw()));
      await timed('stored bytes, parallel ranges: verifyStore', () => verifyStore(store));
    } finally {
      await raw.end();
      await lockedStore.close();
      await store.close();
    }
  } finally {
    await server.stop();
  }
  if (options.print ?? true) printLines('PostgreSQL store', lines);
  return lines;
};
