import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo, type DemoRun } from '@trial-ledger/demo';
import { PostgresEventStore, SqliteEventStore, verifyRawChain, verifyStore, type Clock, type EventStore } from '@trial-ledger/event-store';
import { Identity } from '@trial-ledger/identity';
import { analysePfs } from '@trial-ledger/pfs';
import { replayStudyOverview, replaySubject } from '@trial-ledger/projections';
import { FAST_SCRYPT, RecordingLogger } from '../../libs/identity/src/testing';
import { startPostgresTestServer, type PostgresTestServer } from '../../libs/event-store/src/testing/postgres-test-server';

/**
 * The 28-subject demo study, once on the embedded SQLite store and once on a real PostgreSQL: what a
 * sponsor reads off the ledger (every casebook, the study overview, the PFS analysis) must not depend
 * on `LEDGER_STORE`. The same seed and `--today` give the same commands; the store and identity
 * clocks tick one second per reading from the same instant in both runs, so recording instants agree
 * too. What legitimately differs is only what is random by design: event, user, correlation and
 * signature ids (UUIDs), the hashes that cover them, and scrypt password hashes (random salts).
 */
const SEED = '42';
const TODAY = '2026-03-01';
const START = '2026-03-01T18:00:00.000Z';

/** A clock that moves one second every time it is read: deterministic, and never two equal instants. */
class TickingClock implements Clock {
  private ms = Date.parse(START);
  now(): string {
    const instant = new Date(this.ms).toISOString();
    this.ms += 1000;
    return instant;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Replaces each distinct UUID and SHA-256 hex by a label in order of first appearance, so two runs
 * compare equal exactly when their ids differ but refer to the same things in the same places (an
 * audit-trail entry naming the event it corrects still names "the same" event, also inside a text), and drops password
 * hashes.
 */
const normaliser = () => {
  const labels = new Map<string, string>();
  const label = (value: string, kind: string): string => {
    let known = labels.get(value);
    if (known === undefined) {
      known = `<${kind}-${labels.size + 1}>`;
      labels.set(value, known);
    }
    return known;
  };
  const normalise = (value: unknown): unknown => {
    if (typeof value === 'string') {
      if (UUID.test(value)) return label(value, 'uuid');
      if (SHA256_HEX.test(value)) return label(value, 'sha256');
      // A text naming an event (a withdrawal's reason: "after the correction of TumorAssessmentRecorded <id> …").
      return value.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, (id) => label(id, 'uuid'));
    }
    if (Array.isArray(value)) return value.map(normalise);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .filter(([key]) => key !== 'passwordHash')
          .map(([key, v]) => [key, normalise(v)]),
      );
    }
    return value;
  };
  return normalise;
};

interface Readout {
  readonly run: DemoRun;
  readonly casebooks: unknown;
  readonly overview: unknown;
  readonly pfs: unknown;
  /** Type, stream, version and recording instant of every position: the shape of the log. */
  readonly log: Array<[number, string, string, number, string]>;
  readonly events: unknown;
  readonly chain: { sequential: unknown; store: unknown };
}

/** Runs the demo on a store (fixed seed, date, clocks and passwords) and reads everything back. */
const runAndRead = async (open: (clock: Clock) => Promise<EventStore>): Promise<Readout> => {
  const store = await open(new TickingClock());
  try {
    const identity = new Identity(store, new TickingClock(), { scrypt: FAST_SCRYPT }, { logger: new RecordingLogger() });
    const run = await runDemo(store, identity, { seed: SEED, today: TODAY, passwordOf: (user) => `demo parity passphrase of the ${user.role}` });
    const { studyId } = run.scenario;
    const casebooks: Record<string, unknown> = {};
    for (const subject of run.scenario.subjects) {
      casebooks[subject.subjectId] = (await replaySubject(store, studyId, subject.subjectId)).casebook;
    }
    const overview = (await replayStudyOverview(store, studyId)).overview;
    const pfs = await analysePfs(store, studyId);
    const log: Readout['log'] = [];
    const events: unknown[] = [];
    for await (const e of store.readAll()) {
      log.push([e.globalPosition, e.type, e.streamId, e.streamVersion, e.metadata.recordedAt]);
      events.push({ data: e.data, metadata: e.metadata, prevHash: e.prevHash, hash: e.hash, eventId: e.eventId });
    }
    const chain = { sequential: await verifyRawChain(store.readAllRaw!()), store: await verifyStore(store) };
    // One normaliser per run, over everything in a fixed order, so labels line up between runs.
    const normalise = normaliser();
    return {
      run,
      casebooks: normalise(casebooks),
      overview: normalise(overview),
      pfs: normalise(pfs),
      log,
      events: normalise(events),
      chain,
    };
  } finally {
    await store.close();
  }
};

let server: PostgresTestServer;
let dir: string;
let sqlite: Readout;
let postgres: Readout;

beforeAll(async () => {
  server = await startPostgresTestServer();
  dir = mkdtempSync(join(tmpdir(), 'demo-parity-'));
  sqlite = await runAndRead(async (clock) => new SqliteEventStore(join(dir, 'demo.sqlite'), { clock }));
  const url = await server.createDatabase();
  postgres = await runAndRead((clock) => PostgresEventStore.connect(url, { clock }));
}, 300_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('the demo study gives the same ledger readings on SQLite and PostgreSQL', () => {
  it('runs the whole demo on both stores with the same summary (commands, refusals, counts, signatures, PFS)', () => {
    expect(sqlite.run.summary.enrollment).toMatchObject({ screened: 31, enrolled: 28, target: 28 });
    expect(postgres.run.summary).toEqual(sqlite.run.summary);
    expect(postgres.run.head.position).toBe(sqlite.run.head.position);
  });

  it('records the same log: type, stream, version and recording instant at every position, and the same data', () => {
    expect(postgres.log).toHaveLength(sqlite.run.head.position);
    expect(postgres.log).toEqual(sqlite.log);
    expect(postgres.events).toEqual(sqlite.events);
  });

  it('replays every casebook identically (all 31 screened subjects: 28 enrolled, 2 screen failures, 1 refused over the cap)', () => {
    const subjects = Object.keys(sqlite.casebooks as Record<string, unknown>);
    expect(subjects).toHaveLength(31);
    expect(Object.keys(postgres.casebooks as Record<string, unknown>)).toEqual(subjects);
    for (const subjectId of subjects) {
      expect({ subjectId, casebook: (postgres.casebooks as Record<string, unknown>)[subjectId] }).toEqual({
        subjectId,
        casebook: (sqlite.casebooks as Record<string, unknown>)[subjectId],
      });
    }
  });

  it('replays the same study overview', () => {
    expect(postgres.overview).toEqual(sqlite.overview);
  });

  it('gives the same PFS analysis: every subject row, the Kaplan–Meier estimate, the median and the rates', () => {
    expect((sqlite.pfs as { subjects: unknown[] }).subjects).toHaveLength(28);
    expect(postgres.pfs).toEqual(sqlite.pfs);
  });

  it('verifies both hash chains, sequentially and by each store’s own verifier', () => {
    for (const readout of [sqlite, postgres]) {
      const expected = { ok: true, eventsChecked: readout.run.head.position, headPosition: readout.run.head.position, headHash: readout.run.head.hash, fault: null };
      expect(readout.chain.sequential).toEqual(expected);
      expect(readout.chain.store).toEqual(expected);
    }
  });
});
