import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import {
  ProjectionRunner,
  SqliteProjectionStore,
  clinicalReadModels,
  foldProjection,
  getCasebook,
  getStudyOverview,
  testing,
  type ClinicalDocument,
  type Projection,
  type ProjectionStore,
} from '@trial-ledger/projections';

const STUDY = 'LANR-HGNET-01';

/** Counts the events a projection folds, to show a restarted runner resumes rather than re-reads. */
const counting = (projection: Projection<ClinicalDocument>): Projection<ClinicalDocument> & { folded: number } => {
  const wrapped = {
    name: projection.name,
    version: projection.version,
    layout: projection.layout,
    folded: 0,
    evolve: (state: Parameters<typeof projection.evolve>[0], event: Parameters<typeof projection.evolve>[1]) => {
      wrapped.folded += 1;
      return projection.evolve(state, event);
    },
  };
  return wrapped;
};

describe('ProjectionRunner over the SQLite store, with a checkpointed catch-up subscription', () => {
  let dir: string;
  let events: SqliteEventStore;
  let readModels: SqliteProjectionStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'projections-'));
    events = new SqliteEventStore(join(dir, 'ledger.sqlite'), { pollMs: 20, clock: new FixedClock('2026-01-01T00:00:00.000Z') });
    readModels = new SqliteProjectionStore(join(dir, 'read-models.sqlite'));
  });

  afterEach(async () => {
    await readModels.close();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const scenario = (): { ledger: testing.LedgerScenario; s: testing.SubjectScenario } => {
    const ledger = new testing.LedgerScenario(STUDY);
    ledger.registerStudy();
    const s = ledger.subject('S001');
    s.baseline('2026-01-02');
    s.enrol('2026-01-05');
    s.dose(1, '2026-01-06');
    return { ledger, s };
  };

  it('given a log, when the runner catches up, then the saved casebook and overview match a pure fold of the log', async () => {
    const { ledger } = scenario();
    await ledger.appendTo(events);
    const runner = new ProjectionRunner(events, readModels, clinicalReadModels);
    await runner.start();
    await runner.catchUp();
    await runner.stop();
    expect(runner.savedCheckpoint).toBe(ledger.events.length);
    const saved = await readModels.getDocument<ClinicalDocument>('clinical-read-models', `casebook/${STUDY}/S001`);
    expect(saved).toMatchObject({ subject: { status: 'enrolled', facts: { doses: [expect.objectContaining({ cycle: 1 })] } } });
    expect(getStudyOverview(runner.documents, STUDY)?.enrollment.enrolled).toBe(1);
  });

  it('given a stopped runner and new events, when a new runner starts, then it resumes from the checkpoint', async () => {
    const { ledger, s } = scenario();
    await ledger.appendTo(events);
    const first = counting(clinicalReadModels);
    const runner1 = new ProjectionRunner(events, readModels, first);
    await runner1.start();
    await runner1.catchUp();
    await runner1.stop();
    const checkpoint = runner1.savedCheckpoint;
    expect(first.folded).toBe(checkpoint);

    const before = ledger.events.length;
    s.dose(2, '2026-02-03');
    await ledger.appendTo(events, before);

    const second = counting(clinicalReadModels);
    const runner2 = new ProjectionRunner(events, readModels, second);
    await runner2.start();
    await runner2.catchUp();
    await runner2.stop();
    // Only the one new event was folded; the rest came from the saved state.
    expect(second.folded).toBe(1);
    expect(runner2.savedCheckpoint).toBe(checkpoint + 1);
    expect(getCasebook(runner2.documents, STUDY, 'S001')?.doses.map((d) => d.cycle)).toEqual([1, 2]);
  });

  it('given a running runner, when events are appended, then the subscription folds them without a restart', async () => {
    const { ledger, s } = scenario();
    await ledger.appendTo(events);
    const runner = new ProjectionRunner(events, readModels, clinicalReadModels);
    await runner.start();
    await runner.catchUp();
    const before = ledger.events.length;
    s.adverseEvent('2026-01-20', 2);
    const [stored] = await ledger.appendTo(events, before);
    await runner.waitFor(stored.globalPosition);
    await runner.stop();
    expect(getCasebook(runner.documents, STUDY, 'S001')?.adverseEvents).toHaveLength(1);
    expect((await readModels.load('clinical-read-models')).checkpoint).toBe(stored.globalPosition);
  });

  it('given saved read models, when rebuilt from position 0, then the result is identical', async () => {
    const { ledger, s } = scenario();
    const ae = s.adverseEvent('2026-01-20', 1);
    s.correct(ae, { ctcaeGrade: 2 }, 'lab result');
    s.followUp('2026-03-30', { diameters: [62] });
    await ledger.appendTo(events);
    const runner = new ProjectionRunner(events, readModels, clinicalReadModels, { flushEvery: 3 });
    await runner.start();
    await runner.catchUp();
    await runner.stop();
    const incremental = await readModels.load<ClinicalDocument>('clinical-read-models');

    await runner.rebuild();
    await runner.stop();
    const rebuilt = await readModels.load<ClinicalDocument>('clinical-read-models');
    expect(rebuilt.checkpoint).toBe(incremental.checkpoint);
    expect(rebuilt.documents).toEqual(incremental.documents);
    // One row per subject, per roster line (named by its position) and per study: none holds a list that grows with the study.
    const rosterRows = Object.keys(rebuilt.documents).filter((key) => key.startsWith(`roster/${STUDY}/`));
    expect(rosterRows).toHaveLength(1);
    expect(rebuilt.documents[rosterRows[0]]).toEqual({ subjectId: 'S001', subjectNumber: 1, enrollmentDate: expect.any(String) });
    expect(Object.keys(rebuilt.documents).sort()).toEqual([`casebook/${STUDY}/S001`, `overview/${STUDY}`, rosterRows[0], `study/${STUDY}`]);
  });

  it('given a study folded in pieces with restarts, corrections, voids and an amendment, then the saved rows equal a rebuild from zero and a pure fold', async () => {
    const ledger = new testing.LedgerScenario(STUDY);
    ledger.registerStudy();
    const runTo = async (): Promise<void> => {
      const runner = new ProjectionRunner(events, readModels, clinicalReadModels, { flushEvery: 2 });
      await runner.start();
      await runner.catchUp();
      await runner.stop();
    };
    let appended = 0;
    const appendNew = async (): Promise<void> => {
      await ledger.appendTo(events, appended);
      appended = ledger.events.length;
      await runTo();
    };
    for (const id of ['S001', 'S002', 'S003']) {
      const s = ledger.subject(id);
      s.baseline('2026-01-02');
      s.enrol('2026-01-05');
      s.dose(1, '2026-01-06');
    }
    await appendNew();
    const s1 = ledger.subject('S001');
    const late = s1.dose(2, '2026-02-12');
    // Queries, folded across the restarts: opened, answered, closed, cancelled, reopened after a correction.
    const onLate = s1.openQuery(late, 'administeredOn');
    const onLot = s1.openQuery(late, 'lotNumber');
    const onS3 = ledger.subject('S003').openQuery(ledger.events.find((e) => e.type === 'DoseAdministered' && e.streamId.endsWith('-S003'))!.eventId);
    s1.respondToQuery(onLate);
    await appendNew();
    s1.queryTransition('CloseQuery', onLate);
    s1.queryTransition('CancelQuery', onLot);
    ledger.subject('S003').queryTransition('CloseQuery', onS3);
    ledger.subject('S002').missDose(2, '2026-02-03', 'travel');
    ledger.subject('S003').deviationRecorded('2026-01-20', '__proto__', 'major');
    await appendNew();
    s1.correct(late, { administeredOn: '2026-02-04' }, 'date mistyped');
    s1.queryTransition('ReopenQuery', onLate);
    ledger.subject('S002').openQuery(ledger.events.find((e) => e.type === 'DoseAdministered' && e.streamId.endsWith('-S002'))!.eventId);
    const ae = ledger.subject('S002').adverseEvent('2026-02-10', 3, true);
    ledger.subject('S002').void(ae, 'wrong subject');
    const amended = testing.seedProtocol();
    ledger.amendProtocol({ ...amended, version: 2, treatment: { ...amended.treatment, windowDays: 1 } }, 'tighter window');
    const s4 = ledger.subject('S004');
    s4.screen('2026-02-01');
    s4.failScreening('2026-02-02', { ecog: 3 });
    await appendNew();

    const incremental = await readModels.load<ClinicalDocument>('clinical-read-models');
    const pure = JSON.parse(JSON.stringify(foldProjection(clinicalReadModels, ledger.projected())));
    const runner = new ProjectionRunner(events, readModels, clinicalReadModels);
    await runner.rebuild();
    await runner.stop();
    const rebuilt = await readModels.load<ClinicalDocument>('clinical-read-models');
    expect(rebuilt.checkpoint).toBe(ledger.events.length);
    expect(rebuilt.documents).toEqual(incremental.documents);
    expect(Object.keys(pure).sort()).toEqual(Object.keys(rebuilt.documents).sort());
    const overview = getStudyOverview(rebuilt.documents, STUDY)!;
    expect(overview).toMatchObject({ screened: 4, enrollment: { enrolled: 3 }, statusCounts: { enrolled: 3, 'screen-failed': 1 }, adverseEvents: { total: 0 } });
    expect(overview.deviations.byCategory).toEqual(expect.arrayContaining([{ category: '__proto__', major: 1, minor: 0, total: 1 }]));
    expect(overview.openQueries).toBe(2);
    expect(overview.subjects.map((row) => [row.subjectId, row.openQueries])).toEqual([['S001', 1], ['S002', 1], ['S003', 0], ['S004', 0]]);
    expect(overview).toEqual(getStudyOverview(pure, STUDY));
  });

  it('given a write the runner has not folded yet, when waited for with a bound, then it answers false in time and true once folded', async () => {
    const { ledger, s } = scenario();
    await ledger.appendTo(events);
    // The runner's own connection polls only once a minute: it learns of appends made through it at once.
    const own = new SqliteEventStore(join(dir, 'ledger.sqlite'), { pollMs: 60_000 });
    const runner = new ProjectionRunner(own, readModels, clinicalReadModels);
    await runner.start();
    await runner.catchUp();
    let before = ledger.events.length;
    s.adverseEvent('2026-01-20', 2);
    const [unseen] = await ledger.appendTo(events, before);
    expect(await runner.waitUntilFolded(unseen.globalPosition, 10)).toBe(false);
    before = ledger.events.length;
    s.adverseEvent('2026-01-21', 1);
    const [seen] = await ledger.appendTo(own, before);
    expect(await runner.waitUntilFolded(unseen.globalPosition, 5_000)).toBe(true);
    // Appends are acknowledged after their group commit: the runner folds the later one in its own time.
    expect(await runner.waitUntilFolded(seen.globalPosition, 5_000)).toBe(true);
    expect(runner.currentPosition).toBe(seen.globalPosition);
    await runner.stop();
    await own.close();
  });

  it('given state saved by an older projection version, when started, then it is rebuilt from position 0', async () => {
    const { ledger } = scenario();
    await ledger.appendTo(events);
    await readModels.save('clinical-read-models', 0, 999, { bogus: { stale: true } });
    const runner = new ProjectionRunner(events, readModels, clinicalReadModels);
    await runner.start();
    await runner.catchUp();
    await runner.stop();
    const loaded = await readModels.load<Record<string, unknown>>('clinical-read-models');
    expect(loaded.version).toBe(clinicalReadModels.version);
    expect(loaded.documents.bogus).toBeUndefined();
    expect(loaded.checkpoint).toBe(ledger.events.length);
  });
  it('given a save that fails once (a full disk), when the runner is restarted, then later saves succeed and the saved rows reach the head', async () => {
    const { ledger, s } = scenario();
    await ledger.appendTo(events);
    let failNext = false;
    const flaky: ProjectionStore = {
      load: (name) => readModels.load(name),
      reset: (name) => readModels.reset(name),
      getDocument: (name, key) => readModels.getDocument(name, key),
      close: async () => undefined,
      save: async (name, version, checkpoint, changed, options) => {
        if (failNext) {
          failNext = false;
          throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        }
        return readModels.save(name, version, checkpoint, changed, options);
      },
    };
    const runner = new ProjectionRunner(events, flaky, clinicalReadModels);
    await runner.start();
    await runner.catchUp();
    const before = ledger.events.length;
    s.adverseEvent('2026-01-20', 2);
    const [next] = await ledger.appendTo(events, before);
    failNext = true;
    await expect(runner.waitFor(next.globalPosition)).rejects.toThrow('database or disk is full');
    expect(runner.savedCheckpoint).toBeLessThan(next.globalPosition);
    // The cause is gone: a restart from the saved checkpoint saves again (a failed save does not stay in the queue)
    await runner.stop().catch(() => undefined);
    await runner.start();
    await runner.catchUp();
    expect(runner.savedCheckpoint).toBe(next.globalPosition);
    expect((await readModels.load('clinical-read-models')).checkpoint).toBe(next.globalPosition);
    await runner.stop();
  });
});
