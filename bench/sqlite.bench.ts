import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { canonicalize } from 'json-canonicalize';
import { v7 as uuidv7 } from 'uuid';
import { handleCommand, type CommandPlan } from '@trial-ledger/command-pipeline';
import { SqliteEventStore, type NewEvent } from '@trial-ledger/event-store';
import { benchActor, formatRate, type BenchLine } from './bench-format';

/** A dose-sized payload, as the pipeline would store it. */
const payload = (i: number) => ({ cycle: i, administeredOn: '2026-03-02', doseMg: 120, route: 'deep-sc', lotNumber: `L${i % 97}`, injectionSite: 'left upper outer buttock' });

const metadata = (): NewEvent['metadata'] => ({
  actor: benchActor,
  reason: null,
  correlationId: uuidv7(),
  causationId: null,
  idempotencyKey: null,
  source: 'cli',
  protocolVersion: 1,
});

/** A command that reads its stream, decides `size` events and appends them: the whole pipeline. */
const benchPlan = (streamId: string, size: number, offset: number): CommandPlan => ({
  primaryStream: streamId,
  readStreams: [],
  decide: () => ({ writes: [{ streamId, events: Array.from({ length: size }, (_, i) => ({ type: 'DoseAdministered', data: payload(offset + i) })) }], protocolVersion: 1 }),
});

const rawInserts = (file: string, commits: number, perCommit: number): number => {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE events (global_position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL,
    stream_version INTEGER NOT NULL, type TEXT NOT NULL, schema_version INTEGER NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL,
    recorded_at TEXT NOT NULL, idempotency_key TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (stream_id, stream_version))`);
  const insert = db.prepare(`INSERT INTO events VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, NULL, ?, ?)`);
  const zero = '0'.repeat(64);
  let position = 0;
  const commit = db.transaction((n: number) => {
    for (let i = 0; i < n; i += 1) {
      position += 1;
      const meta = { ...metadata(), recordedAt: new Date().toISOString() };
      insert.run(position, uuidv7(), `subject-${position % 28}`, position, 'DoseAdministered', JSON.stringify(payload(position)), JSON.stringify(meta), meta.recordedAt, zero, zero);
    }
  });
  const start = process.hrtime.bigint();
  for (let c = 0; c < commits; c += 1) commit.immediate(perCommit);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  db.close();
  return (commits * perCommit) / seconds;
};

const pipelineAppends = async (file: string, commits: number, perCommit: number): Promise<number> => {
  const store = new SqliteEventStore(file);
  const start = process.hrtime.bigint();
  for (let c = 0; c < commits; c += 1) {
    await handleCommand(store, benchPlan(`subject-LANR-HGNET-01-S${String(c % 28).padStart(3, '0')}`, perCommit, c * perCommit), { actor: benchActor, source: 'cli' });
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await store.close();
  return (commits * perCommit) / seconds;
};

/** Fills a ledger with `total` events (1,000 per append, 200 streams) for the verification figures. */
const fillLedger = async (file: string, total: number): Promise<number> => {
  const store = new SqliteEventStore(file);
  const start = process.hrtime.bigint();
  const versions = new Map<string, number>();
  for (let b = 0; b < total / 1000; b += 1) {
    const streamId = `subject-BENCH-${b % 200}`;
    const expectedVersion = versions.get(streamId) ?? 0;
    const events: NewEvent[] = Array.from({ length: 1000 }, (_, i) => ({ eventId: uuidv7(), type: 'DoseAdministered', schemaVersion: 1, data: payload(b * 1000 + i), metadata: metadata() }));
    await store.append({ writes: [{ streamId, expectedVersion, events }] });
    versions.set(streamId, expectedVersion + 1000);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await store.close();
  return total / seconds;
};

export const runSqliteBench = async (options: { verifyEvents: number; singleCommits: number; batchCommits: number }): Promise<BenchLine[]> => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  try {
    const lines: BenchLine[] = [];
    const rawSingle = rawInserts(join(dir, 'raw-1.sqlite'), options.singleCommits, 1);
    const pipeSingle = await pipelineAppends(join(dir, 'pipe-1.sqlite'), options.singleCommits, 1);
    lines.push({ name: 'sqlite: raw better-sqlite3 insert, 1 row/commit (WAL, synchronous=FULL)', value: formatRate(rawSingle, 'rows/s') });
    lines.push({ name: 'sqlite: pipeline, single-event commands (durable)', value: `${formatRate(pipeSingle, 'events/s')}  = ${((100 * pipeSingle) / rawSingle).toFixed(0)} % of raw` });
    const rawBatch = rawInserts(join(dir, 'raw-100.sqlite'), options.batchCommits, 100);
    const pipeBatch = await pipelineAppends(join(dir, 'pipe-100.sqlite'), options.batchCommits, 100);
    lines.push({ name: 'sqlite: raw better-sqlite3 insert, 100 rows/commit', value: formatRate(rawBatch, 'rows/s') });
    lines.push({ name: 'sqlite: pipeline, 100-event commands (durable)', value: `${formatRate(pipeBatch, 'events/s')}  = ${((100 * pipeBatch) / rawBatch).toFixed(0)} % of raw` });
    const ledger = join(dir, 'ledger-1m.sqlite');
    const fillRate = await fillLedger(ledger, options.verifyEvents);
    lines.push({ name: `sqlite: store.append, 1,000-event batches (filling ${options.verifyEvents.toLocaleString('en-US')})`, value: formatRate(fillRate, 'events/s') });
    // Verification runs in a child process so its peak RSS is its own.
    const child = JSON.parse(execFileSync(process.execPath, [join(__dirname, 'verify-child.js'), ledger], { encoding: 'utf8', maxBuffer: 1 << 20 })) as {
      parallel: { ok: boolean; events: number; seconds: number }; sequential: { ok: boolean; events: number; seconds: number }; maxRssMb: number;
    };
    lines.push({ name: `sqlite: read + verify hash chain, parallel (${child.parallel.ok ? 'intact' : 'FAULT'})`, value: formatRate(child.parallel.events / child.parallel.seconds, 'events/s') });
    lines.push({ name: `sqlite: read + verify hash chain, one thread (${child.sequential.ok ? 'intact' : 'FAULT'})`, value: formatRate(child.sequential.events / child.sequential.seconds, 'events/s') });
    lines.push({ name: 'sqlite: peak RSS of the verifying process', value: `${child.maxRssMb.toFixed(0)} MB` });
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export const canonicalPayloadBytes = (): number => Buffer.byteLength(canonicalize(payload(1)));
