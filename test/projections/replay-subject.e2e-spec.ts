import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainError } from '@trial-ledger/domain';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { replayStudyOverview, replaySubject, testing } from '@trial-ledger/projections';

const STUDY = 'LANR-HGNET-01';

describe('bitemporal replay of a subject casebook', () => {
  let dir: string;
  let clock: FixedClock;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'replay-'));
    clock = new FixedClock('2026-03-01T09:00:00.000Z');
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Entered on 1 March; the interim analysis on 15 March; a correction of the scan on 20 March. */
  const history = async () => {
    const ledger = new testing.LedgerScenario(STUDY);
    ledger.registerStudy();
    const s = ledger.subject('S001');
    s.baseline('2026-01-02', { diameters: [50] });
    s.enrol('2026-01-05');
    const scan = s.followUp('2026-03-30', { diameters: [61] });
    const entered = await ledger.appendTo(store);
    clock.set('2026-03-20T14:30:00.000Z');
    const before = ledger.events.length;
    s.correct(scan, { targetLesions: [{ lesionId: 'T1', organ: 'liver', diameterMm: 52, nodal: false }] }, 'radiology re-read');
    const [correction] = await ledger.appendTo(store, before);
    return { lastEntered: entered.at(-1)!.globalPosition, correction };
  };

  it('given a correction made after the interim analysis, when replayed as known at the interim, then the old value and response are shown', async () => {
    await history();
    const { casebook, asOf } = await replaySubject(store, STUDY, 'S001', { asKnownAt: '2026-03-15T12:00:00Z' });
    expect(asOf.asKnownAt).toBe('2026-03-15T12:00:00.000Z');
    expect(casebook.assessments[1]).toMatchObject({ sumOfDiametersMm: 61, overallResponse: 'PD', corrected: false });
    expect(casebook.corrections).toEqual([]);
  });

  it('given the same correction, when replayed now, then the corrected value and its re-derived response are shown', async () => {
    const { correction } = await history();
    const { casebook, asOf } = await replaySubject(store, STUDY, 'S001');
    expect(asOf.position).toBe(correction.globalPosition);
    expect(casebook.assessments[1]).toMatchObject({ sumOfDiametersMm: 52, overallResponse: 'SD', corrected: true });
    expect(casebook.corrections[0]).toMatchObject({ reason: 'radiology re-read', recordedAt: '2026-03-20T14:30:00.000Z' });
  });

  it('given a log position, when replayed to it, then only events up to it count; asKnownAt and position combine (earlier wins)', async () => {
    const { lastEntered } = await history();
    expect((await replaySubject(store, STUDY, 'S001', { toPosition: lastEntered })).casebook.assessments[1].sumOfDiametersMm).toBe(61);
    const both = await replaySubject(store, STUDY, 'S001', { toPosition: lastEntered + 1, asKnownAt: '2026-03-02' });
    expect(both.asOf.position).toBe(lastEntered);
  });

  it('given an instant before the subject existed, then replay is refused as not found; a malformed instant as invalid', async () => {
    await history();
    await expect(replaySubject(store, STUDY, 'S001', { asKnownAt: '2026-02-01T00:00:00Z' })).rejects.toMatchObject({ code: 'SUBJECT.NOT_FOUND', kind: 'not-found' });
    // The refusal names the instant asked for, not only the position it resolved to.
    await expect(replaySubject(store, STUDY, 'S001', { asKnownAt: '2026-02-01T00:00:00Z' })).rejects.toMatchObject({
      message: expect.stringMatching(/^No subject S001 in study \S+ as known at 2026-02-01T00:00:00\.000Z \(log position \d+\)$/),
    });
    await expect(replaySubject(store, STUDY, 'S001', { asKnownAt: 'yesterday' })).rejects.toBeInstanceOf(DomainError);
    await expect(replaySubject(store, STUDY, 'S001', { toPosition: -1 })).rejects.toMatchObject({ code: 'REPLAY.INVALID_POSITION' });
  });

  it('given a position the log has not reached, then replay is refused, not answered as of the head (the answer would change as the log grows)', async () => {
    await history();
    const head = (await store.head()).position;
    expect((await replaySubject(store, STUDY, 'S001', { toPosition: head })).asOf.position).toBe(head);
    await expect(replaySubject(store, STUDY, 'S001', { toPosition: head + 1 })).rejects.toMatchObject({ code: 'REPLAY.POSITION_BEYOND_HEAD', kind: 'validation' });
    await expect(replayStudyOverview(store, STUDY, { toPosition: head + 1 })).rejects.toMatchObject({ code: 'REPLAY.POSITION_BEYOND_HEAD' });
  });

  it('given an instant still to come, then replay is refused (the answer would change as time passes), as a position beyond the head is', async () => {
    await history();
    await expect(replaySubject(store, STUDY, 'S001', { asKnownAt: '2999-01-01T00:00:00Z' })).rejects.toMatchObject({ code: 'REPLAY.AS_KNOWN_AT_IN_FUTURE', kind: 'validation' });
    await expect(replayStudyOverview(store, STUDY, { asKnownAt: '2026-06-02', now: '2026-06-01T12:00:00.000Z' })).rejects.toMatchObject({ code: 'REPLAY.AS_KNOWN_AT_IN_FUTURE' });
    expect((await replayStudyOverview(store, STUDY, { asKnownAt: '2026-06-01T12:00:00Z', now: '2026-06-01T12:00:00.000Z' })).asOf.asKnownAt).toBe('2026-06-01T12:00:00.000Z');
  });

  it('given the study, when its overview is replayed as known at the interim, then it counts what was known then', async () => {
    await history();
    const { overview } = await replayStudyOverview(store, STUDY, { asKnownAt: '2026-03-15T00:00:00Z' });
    expect(overview.enrollment.enrolled).toBe(1);
    await expect(replayStudyOverview(store, STUDY, { asKnownAt: '2026-01-01T00:00:00Z' })).rejects.toMatchObject({ code: 'STUDY.NOT_FOUND' });
  });
});
