import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FixedClock, SqliteEventStore, type EventStore } from '@trial-ledger/event-store';
import {
  ProjectionRunner,
  SqliteProjectionStore,
  clinicalReadModels,
  foldProjection,
  getCasebook,
  testing,
  toProjected,
  type ClinicalDocument,
  type ProjectionState,
} from '@trial-ledger/projections';

const STUDY = 'LANR-HGNET-01';
const PROJECTION = clinicalReadModels.name;
const S001 = `casebook/${STUDY}/S001`;
/** Entries per chunk row, as the clinical read models' layout says. */
const ENTRY_CHUNK = 8;

/** Every saved row of the read-model file, in a fixed order: what two ways of folding must agree on. */
const rowsOf = (file: string): unknown => {
  const db = new Database(file, { readonly: true });
  try {
    return {
      documents: db.prepare('SELECT doc_key, state, list_layouts FROM projection_documents ORDER BY doc_key').all(),
      chunks: db.prepare('SELECT doc_key, list, chunk, items FROM projection_list_chunks ORDER BY doc_key, list, chunk').all(),
      checkpoint: db.prepare('SELECT * FROM projection_checkpoints').all(),
    };
  } finally {
    db.close();
  }
};

/** The read models as a fold of the whole log from zero, as JSON text per row (key order included). */
const foldedFromZero = async (events: EventStore): Promise<Record<string, string>> => {
  const stored = [];
  for await (const event of events.readAll()) stored.push(toProjected(event));
  return asJson(foldProjection(clinicalReadModels, stored));
};

const asJson = (state: ProjectionState<ClinicalDocument>): Record<string, string> => Object.fromEntries(Object.keys(state).sort().map((key) => [key, JSON.stringify(state[key])]));

/** Casebook rows are saved as a head and chunk rows: an event writes what it changed, and a load gives back the very documents. */
describe('casebook rows saved as a head and chunks of its lists', () => {
  const key = randomBytes(32);
  let dir: string;
  let file: string;
  let events: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'casebook-rows-'));
    file = join(dir, 'ledger.sqlite.read-models');
    events = new SqliteEventStore(join(dir, 'ledger.sqlite'), { pollMs: 20, clock: new FixedClock('2026-01-01T00:00:00.000Z') });
  });
  afterEach(async () => {
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs a server's runner on the file until it has saved the head of the log, then stops it. */
  const runToHead = async (options: { flushEvery?: number; onAltered?: () => void } = {}): Promise<ProjectionState<ClinicalDocument>> => {
    const saved = new SqliteProjectionStore(file, { sealKey: key });
    const runner = new ProjectionRunner(events, saved, clinicalReadModels, options);
    await runner.start();
    await runner.catchUp();
    await runner.stop();
    await saved.close();
    return runner.documents;
  };

  /** A subject with a history longer than several chunks: doses every 28 days with an adverse event between them. */
  const longHistory = (ledger: testing.LedgerScenario, subjectId: string, cycles: number): { doses: string[]; adverseEvents: string[] } => {
    const s = ledger.subject(subjectId);
    s.baseline('2026-01-02');
    s.enrol('2026-01-05');
    const doses: string[] = [];
    const adverseEvents: string[] = [];
    for (let cycle = 1; cycle <= cycles; cycle += 1) {
      const day = new Date(Date.UTC(2026, 0, 6 + (cycle - 1) * 28)).toISOString().slice(0, 10);
      doses.push(s.dose(cycle, day));
      adverseEvents.push(s.adverseEvent(day, 1 + (cycle % 3)));
    }
    return { doses, adverseEvents };
  };

  it('given a casebook folded in pieces with restarts, a correction and a void of early entries, when loaded, then it is the fold from zero and its rows equal a rebuild', async () => {
    const ledger = new testing.LedgerScenario(STUDY, { now: '2030-01-01T00:00:00.000Z' });
    ledger.registerStudy();
    const { doses, adverseEvents } = longHistory(ledger, 'S001', 20);
    longHistory(ledger, 'S002', 3);
    let appended = 0;
    const appendNew = async (): Promise<void> => {
      await ledger.appendTo(events, appended);
      appended = ledger.events.length;
      await runToHead({ flushEvery: 7 });
    };
    await appendNew();
    const s1 = ledger.subject('S001');
    s1.correct(doses[1], { administeredOn: '2026-02-04' }, 'date mistyped');
    s1.void(adverseEvents[0], 'wrong subject');
    s1.signRecord(doses[0]);
    await appendNew();
    s1.adverseEvent('2027-08-01', 2);
    await appendNew();

    const loaded = await new SqliteProjectionStore(file, { sealKey: key }).load<ClinicalDocument>(PROJECTION);
    expect([loaded.altered, loaded.checkpoint]).toEqual([undefined, ledger.events.length]);
    expect(asJson(loaded.documents)).toEqual(await foldedFromZero(events));
    const casebook = getCasebook(loaded.documents, STUDY, 'S001')!;
    expect(casebook.doses.find((d) => d.eventId === doses[1])?.administeredOn).toBe('2026-02-04');
    expect(casebook.adverseEvents.map((a) => a.eventId)).not.toContain(adverseEvents[0]);
    // The entries span several chunks; the head holds their number, not them.
    const entries = loaded.documents[S001] as ClinicalDocument & { subject: { entries: unknown[] } };
    expect(entries.subject.entries.length).toBeGreaterThan(2 * ENTRY_CHUNK);
    const rows = rowsOf(file) as { documents: Array<{ doc_key: string; state: string; list_layouts: string | null }>; chunks: Array<{ doc_key: string; list: number }> };
    const entryChunks = rows.chunks.filter((c) => c.doc_key === S001 && c.list === 0);
    expect(entryChunks).toHaveLength(Math.ceil(entries.subject.entries.length / ENTRY_CHUNK));
    const head = rows.documents.find((d) => d.doc_key === S001)!;
    expect(JSON.parse(head.list_layouts!)).toContainEqual({ path: ['subject', 'entries'], chunk: ENTRY_CHUNK, sameAs: ['current', 'recorded'] });
    expect(JSON.parse(head.state).subject.entries).toBe(entries.subject.entries.length);

    const incremental = rowsOf(file);
    await runToHead();
    const rebuilt = new SqliteProjectionStore(file, { sealKey: key });
    const runner = new ProjectionRunner(events, rebuilt, clinicalReadModels);
    await runner.rebuild();
    await runner.stop();
    await rebuilt.close();
    expect(rowsOf(file)).toEqual(incremental);
  });

  it('given the dosing schedule amended between doses (folded in pieces with restarts), when loaded, then each dose keeps its own version\'s window and the rows equal a fold from zero and a rebuild', async () => {
    const ledger = new testing.LedgerScenario(STUDY, { now: '2030-01-01T00:00:00.000Z' });
    const v1 = testing.seedProtocol();
    ledger.registerStudy(v1);
    const { doses } = longHistory(ledger, 'S001', 3);
    let appended = 0;
    const appendNew = async (): Promise<void> => {
      await ledger.appendTo(events, appended);
      appended = ledger.events.length;
      await runToHead({ flushEvery: 3 });
    };
    await appendNew();
    ledger.amendProtocol({ ...v1, version: 2, treatment: { ...v1.treatment, intervalDays: 21, windowDays: 2 } }, 'Amendment 1: every 21 days');
    await appendNew();
    const s1 = ledger.subject('S001');
    s1.dose(4, '2026-03-24');
    s1.correct(doses[1], { administeredOn: '2026-02-05' }, 'date mistyped');
    await appendNew();

    const loaded = await new SqliteProjectionStore(file, { sealKey: key }).load<ClinicalDocument>(PROJECTION);
    expect(asJson(loaded.documents)).toEqual(await foldedFromZero(events));
    // Cycles 1–3 under v1 (28 ± 3; cycle 3 from the corrected cycle 2), cycle 4 under v2 (21 ± 2 from cycle 3).
    expect(getCasebook(loaded.documents, STUDY, 'S001')!.doses.map((d) => [d.cycle, d.window?.dueOn, d.withinWindow])).toEqual([
      [1, '2026-01-05', true],
      [2, '2026-02-03', true],
      [3, '2026-03-05', true],
      [4, '2026-03-24', true],
    ]);

    const incremental = rowsOf(file);
    const rebuilt = new SqliteProjectionStore(file, { sealKey: key });
    const runner = new ProjectionRunner(events, rebuilt, clinicalReadModels);
    await runner.rebuild();
    await runner.stop();
    await rebuilt.close();
    expect(rowsOf(file)).toEqual(incremental);
  });

  it('given a long casebook, when one event is folded and saved, then the save writes its head and the chunks that event changed', async () => {
    const ledger = new testing.LedgerScenario(STUDY, { now: '2030-01-01T00:00:00.000Z' });
    ledger.registerStudy();
    longHistory(ledger, 'S001', 24);
    await ledger.appendTo(events);
    const db = new Database(file);
    const saved = new SqliteProjectionStore(db, { sealKey: key });
    const runner = new ProjectionRunner(events, saved, clinicalReadModels);
    await runner.start();
    await runner.catchUp();
    const changes = (): number => (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    const writtenBy = async (add: () => void): Promise<number> => {
      const before = ledger.events.length;
      const counted = changes();
      add();
      const [stored] = await ledger.appendTo(events, before);
      await runner.waitFor(stored.globalPosition);
      return changes() - counted;
    };
    // Head, last entries chunk, last adverse-events chunk, the study's counters, the checkpoint.
    expect(await writtenBy(() => ledger.subject('S001').adverseEvent('2027-12-01', 2))).toBe(5);
    expect(await writtenBy(() => ledger.subject('S001').adverseEvent('2027-12-02', 1))).toBe(5);
    // A signature: the head, the signatures' one chunk, the study's counters, the checkpoint.
    expect(await writtenBy(() => ledger.subject('S001').sign())).toBe(4);
    await runner.stop();
    await saved.close();
    db.close();
    expect(asJson((await new SqliteProjectionStore(file, { sealKey: key }).load<ClinicalDocument>(PROJECTION)).documents)).toEqual(await foldedFromZero(events));
  });

  it('given read models saved whole by the previous version (sealed, on this log), when a server starts, then they are rebuilt once into heads and chunks, without an alarm', async () => {
    const ledger = new testing.LedgerScenario(STUDY, { now: '2030-01-01T00:00:00.000Z' });
    ledger.registerStudy();
    longHistory(ledger, 'S001', 12);
    const stored = await ledger.appendTo(events);
    const head = stored[stored.length - 1];
    const earlier = new SqliteProjectionStore(file, { sealKey: key });
    await earlier.load(PROJECTION);
    const whole = foldProjection(clinicalReadModels, stored.map(toProjected));
    await earlier.save(PROJECTION, clinicalReadModels.version - 1, head.globalPosition, whole, { anchor: head.hash });
    await earlier.close();
    expect((rowsOf(file) as { chunks: unknown[] }).chunks).toEqual([]);
    let altered = 0;
    await runToHead({ onAltered: () => (altered += 1) });
    expect(altered).toBe(0);
    const loaded = await new SqliteProjectionStore(file, { sealKey: key }).load<ClinicalDocument>(PROJECTION);
    expect([loaded.version, asJson(loaded.documents)]).toEqual([clinicalReadModels.version, await foldedFromZero(events)]);
    expect((rowsOf(file) as { chunks: Array<{ doc_key: string }> }).chunks.filter((c) => c.doc_key === S001).length).toBeGreaterThan(1);
  });

  describe('the seal covers every chunk row', () => {
    const tamper = (sql: string): number => {
      const db = new Database(file);
      try {
        return db.prepare(sql).run().changes;
      } finally {
        db.close();
      }
    };

    it.each([
      ['a chunk altered', `UPDATE projection_list_chunks SET items = replace(items, '"ctcaeGrade":2', '"ctcaeGrade":4') WHERE doc_key = '${S001}' AND list = 0 AND chunk = 0 AND items LIKE '%"ctcaeGrade":2%'`],
      ['a chunk removed', `DELETE FROM projection_list_chunks WHERE doc_key = '${S001}' AND list = 0 AND chunk = 1`],
      ['a chunk added', `INSERT INTO projection_list_chunks SELECT projection, doc_key, list, chunk + 10, items FROM projection_list_chunks WHERE doc_key = '${S001}' AND list = 0 AND chunk = 0`],
      ['a chunk moved to another list', `UPDATE projection_list_chunks SET list = 3 WHERE doc_key = '${S001}' AND list = 7`],
      ['the list paths of a head altered', `UPDATE projection_documents SET list_layouts = '[]' WHERE doc_key = '${S001}'`],
    ])('with %s outside the server, a load reports it and the runner rebuilds the fold from zero', async (_what, sql) => {
      const ledger = new testing.LedgerScenario(STUDY, { now: '2030-01-01T00:00:00.000Z' });
      ledger.registerStudy();
      longHistory(ledger, 'S001', 12);
      ledger.subject('S001').deviationRecorded('2026-03-01', 'visit window', 'minor');
      await ledger.appendTo(events);
      await runToHead();
      expect(tamper(sql)).toBeGreaterThan(0);
      expect((await new SqliteProjectionStore(file, { sealKey: key }).load(PROJECTION)).altered).toBe(true);
      let altered = 0;
      const documents = await runToHead({ onAltered: () => (altered += 1) });
      expect(altered).toBe(1);
      expect(asJson(documents)).toEqual(await foldedFromZero(events));
      const reloaded = await new SqliteProjectionStore(file, { sealKey: key }).load<ClinicalDocument>(PROJECTION);
      expect([reloaded.altered, asJson(reloaded.documents)]).toEqual([undefined, await foldedFromZero(events)]);
    });

    it('unsealed rows that do not fit together (a chunk missing) load as altered, not as a shorter casebook', async () => {
      const ledger = new testing.LedgerScenario(STUDY, { now: '2030-01-01T00:00:00.000Z' });
      ledger.registerStudy();
      longHistory(ledger, 'S001', 12);
      await ledger.appendTo(events);
      const unsealed = new SqliteProjectionStore(file);
      const runner = new ProjectionRunner(events, unsealed, clinicalReadModels);
      await runner.start();
      await runner.catchUp();
      await runner.stop();
      expect(tamper(`DELETE FROM projection_list_chunks WHERE doc_key = '${S001}' AND list = 0 AND chunk = 1`)).toBe(1);
      expect(await new SqliteProjectionStore(file).load(PROJECTION)).toEqual({ checkpoint: 0, version: null, documents: {}, altered: true });
      await expect(unsealed.getDocument(PROJECTION, S001)).rejects.toThrow('do not fit together');
      await unsealed.close();
    });
  });
});
