import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import {
  ProjectionRunner,
  SqliteProjectionStore,
  clinicalReadModels,
  clinicalReadModelsAt,
  foldProjection,
  getCasebook,
  getStudyOverview,
  testing,
  toProjected,
} from '@trial-ledger/projections';

const STUDY = 'LANR-HGNET-01';

describe('clinical read models at a position, for one-shot readers (report, replay and pfs at the head)', () => {
  let dir: string;
  let events: SqliteEventStore;
  let saved: SqliteProjectionStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-models-at-'));
    events = new SqliteEventStore(join(dir, 'ledger.sqlite'), { pollMs: 20, clock: new FixedClock('2026-01-01T00:00:00.000Z') });
    saved = new SqliteProjectionStore(join(dir, 'ledger.sqlite.read-models'));
  });
  afterEach(async () => {
    await saved.close();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const all = async () => {
    const out = [];
    for await (const e of events.readAll()) out.push(toProjected(e));
    return out;
  };

  it('given saved read models behind the head, then only the later events are folded and the result equals a fold of the whole log; nothing is written back', async () => {
    const ledger = new testing.LedgerScenario(STUDY);
    ledger.registerStudy();
    const s = ledger.subject('S001');
    s.baseline('2026-01-02');
    s.enrol('2026-01-05');
    await ledger.appendTo(events);
    const runner = new ProjectionRunner(events, saved, clinicalReadModels);
    await runner.start();
    await runner.catchUp();
    await runner.stop();
    const checkpoint = runner.savedCheckpoint;
    const before = ledger.events.length;
    const dose = s.dose(1, '2026-01-20');
    s.correct(dose, { administeredOn: '2026-01-07' }, 'date mistyped');
    await ledger.appendTo(events, before);

    const at = await clinicalReadModelsAt(events, { saved });
    expect(at.folded).toBe(ledger.events.length - checkpoint);
    expect(at.position).toBe(ledger.events.length);
    const full = foldProjection(clinicalReadModels, await all());
    expect(getStudyOverview(at.state, STUDY)).toEqual(getStudyOverview(full, STUDY));
    expect(getCasebook(at.state, STUDY, 'S001')).toEqual(getCasebook(full, STUDY, 'S001'));
    expect(getCasebook(at.state, STUDY, 'S001')?.doses[0]).toMatchObject({ administeredOn: '2026-01-07', withinWindow: true });
    expect((await saved.load('clinical-read-models')).checkpoint).toBe(checkpoint);
  });

  it('given saved read models ahead of the position asked for, then they are not used and the log is folded to that position', async () => {
    const ledger = new testing.LedgerScenario(STUDY);
    ledger.registerStudy();
    const s = ledger.subject('S001');
    s.screen('2026-01-02');
    const screenedAt = (await ledger.appendTo(events)).at(-1)!.globalPosition;
    const before = ledger.events.length;
    s.confirmEligibility('2026-01-03');
    await ledger.appendTo(events, before);
    const runner = new ProjectionRunner(events, saved, clinicalReadModels);
    await runner.start();
    await runner.catchUp();
    await runner.stop();

    const at = await clinicalReadModelsAt(events, { saved, toPosition: screenedAt });
    expect(at.folded).toBe(screenedAt);
    expect(getCasebook(at.state, STUDY, 'S001')?.status).toBe('screened');
    expect(getCasebook((await clinicalReadModelsAt(events, { saved })).state, STUDY, 'S001')?.status).toBe('eligible');
  });
});
