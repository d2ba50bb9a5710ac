import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeCommand } from '@trial-ledger/command-pipeline';
import { DomainError, loadDefaultProtocol } from '@trial-ledger/domain';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { analysePfs, diffPfs, type PfsDiff } from '@trial-ledger/pfs';
import { survivalAt } from '@trial-ledger/survival';
import { ADMIN } from '../../libs/domain/src/subject/testing/subject.fixtures';
import { buildPfsDiffLedger, DAY, INTERIM_AT, type PfsDiffLedger } from './support/pfs-diff-ledger';

const STUDY = 'LANR-HGNET-01';

/** Endpoint provenance over a ledger built through the command pipeline (SQLite temp file). */
describe('pfs diff: what moved the PFS result between two knowledge times, and why', () => {
  let dir: string;
  let store: SqliteEventStore;
  let ledger: PfsDiffLedger;
  const clock = new FixedClock('2026-01-01T00:00:00.000Z');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tl-pfs-diff-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
    ledger = await buildPfsDiffLedger(store, clock);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const subject = (diff: PfsDiff, id: string) => {
    const found = diff.subjects.find((s) => s.subjectId === id);
    if (!found) throw new Error(`${id} is not in the diff`);
    return found;
  };
  const refusal = async (promise: Promise<unknown>): Promise<string> => {
    try {
      await promise;
    } catch (error) {
      if (error instanceof DomainError) return error.code;
      throw error;
    }
    throw new Error('expected a refusal');
  };

  it('given four facts recorded after the interim, when diffed from the interim to now, then each moved subject is named with its event and S005 is not listed', async () => {
    const diff = await diffPfs(store, STUDY, { fromKnownAt: INTERIM_AT });

    expect(diff.subjects.map((s) => s.subjectId)).toEqual(['S001', 'S002', 'S003', 'S004']);
    expect(diff.verdict).toBe('4 subjects changed: 1 late entry, 1 correction, 1 void, 1 new entry.');
    expect(diff.from.asKnownAt).toBe(INTERIM_AT);
    expect(diff.to.position).toBe(ledger.death.globalPosition);
  });

  it('given a progression entered late, then S001 turns from censored at day 85 into an event at day 169, caused by that entry', async () => {
    const s = subject(await diffPfs(store, STUDY, { fromKnownAt: INTERIM_AT }), 'S001');

    expect([s.before?.aval, s.before?.cnsr, s.after?.aval, s.after?.cnsr, s.after?.adt]).toEqual([85, 4, 169, 0, DAY[169]]);
    expect(s.changedFields).toEqual(['AVAL', 'CNSR', 'ADT', 'EVNTDESC', 'CNSDTDSC']);
    expect(s.causes).toEqual([expect.objectContaining({ kind: 'late-entry', eventId: ledger.lateProgression.eventId, clinicalDate: DAY[169], decisive: true })]);
    expect(s.causes[0].user.username).toBe('investigator');
    expect(s.causes[0].recordedAt).toBe(ledger.lateProgression.metadata.recordedAt);
  });

  it('given a lesion measurement corrected from PD to SD, then S002 becomes censored and the correction shows before → after and its reason', async () => {
    const s = subject(await diffPfs(store, STUDY, { fromKnownAt: INTERIM_AT }), 'S002');

    expect([s.before?.cnsr, s.before?.rule, s.after?.cnsr, s.after?.rule]).toEqual([0, 'event', 4, 'no-progression']);
    expect(s.changedFields).toEqual(['CNSR', 'EVNTDESC', 'CNSDTDSC']);
    const [c] = s.causes;
    expect(c).toMatchObject({ kind: 'correction', eventId: ledger.correction.eventId, reason: 'central radiology re-read: L1 measured 31 mm', decisive: true });
    expect(c.target).toEqual({ eventId: ledger.correctedScan.eventId, eventType: 'TumorAssessmentRecorded' });
    expect((c.before?.targetLesions as Array<{ diameterMm: number }>)[0].diameterMm).toBe(40);
    expect((c.after?.targetLesions as Array<{ diameterMm: number }>)[0].diameterMm).toBe(31);
  });

  it('given a voided PD assessment, then S003 falls back to censoring at the start date, caused by the void', async () => {
    const s = subject(await diffPfs(store, STUDY, { fromKnownAt: INTERIM_AT }), 'S003');

    expect([s.before?.aval, s.before?.cnsr, s.after?.aval, s.after?.cnsr]).toEqual([85, 0, 1, 4]);
    expect(s.causes).toEqual([expect.objectContaining({ kind: 'void', eventId: ledger.voidEvent.eventId, target: { eventId: ledger.voidedScan.eventId, eventType: 'TumorAssessmentRecorded' }, decisive: true })]);
  });

  it('given a death recorded after the first cut, then S004 becomes an event at day 335 and the figures move with it', async () => {
    const diff = await diffPfs(store, STUDY, { fromKnownAt: INTERIM_AT });
    const s = subject(diff, 'S004');

    expect([s.before?.aval, s.before?.cnsr, s.after?.aval, s.after?.cnsr, s.after?.evntdesc]).toEqual([169, 4, 335, 0, 'DEATH']);
    expect(s.causes).toEqual([expect.objectContaining({ kind: 'new-entry', eventId: ledger.death.eventId, eventType: 'SubjectDied', decisive: true })]);
    const [interim, now] = [await analysePfs(store, STUDY, { asKnownAt: INTERIM_AT }), await analysePfs(store, STUDY)];
    expect(diff.before).toEqual({ n: 5, events: interim.summary.events, censored: interim.summary.censored, median: interim.median, curveEndsAtZero: false, rates: interim.rates });
    expect(diff.after.median).toEqual(now.median);
    expect([diff.before.events, diff.after.events, diff.delta.events, diff.delta.censored]).toEqual([2, 2, 0, 0]);
    expect(diff.delta.rates.map((r) => r.day)).toEqual([182, 365]);
    expect(diff.after.rates).toEqual(now.rates);
    // At the interim nobody was followed to day 182, so R reports no rate there and the change is unknown.
    expect([interim.rates[0].survival, now.rates[0].survival !== null]).toEqual([null, true]);
    expect(diff.delta.rates[0].survival).toBeNull();
  });

  it('given two data cuts at one knowledge time, when diffed, then only the death dated between them moves, named as such', async () => {
    const diff = await diffPfs(store, STUDY, { fromCutoff: '2026-12-01', toCutoff: '2026-12-31' });

    expect(diff.subjects.map((s) => s.subjectId)).toEqual(['S004']);
    expect(diff.subjects[0].causes).toEqual([expect.objectContaining({ kind: 'dated-between-cutoffs', eventId: ledger.death.eventId, clinicalDate: DAY[335] })]);
    expect(diff.verdict).toBe('1 subject changed: 1 entry dated between the cutoffs.');
  });

  it('given two positions, when diffed by position, then the result equals the knowledge-time diff of the same points', async () => {
    const byTime = await diffPfs(store, STUDY, { fromKnownAt: INTERIM_AT });
    const byPosition = await diffPfs(store, STUDY, { fromPosition: byTime.from.position, toPosition: byTime.to.position });

    expect(byPosition.subjects).toEqual(byTime.subjects);
    expect(byPosition.verdict).toBe(byTime.verdict);
  });

  it('given the same point on both sides, then nothing changed', async () => {
    const diff = await diffPfs(store, STUDY, { fromKnownAt: INTERIM_AT, toKnownAt: INTERIM_AT });

    expect(diff.subjects).toEqual([]);
    expect(diff.verdict).toBe('No subject changed.');
  });

  it.each([
    ['no first side', {}, 'PFS_DIFF.INVALID_OPTIONS'],
    ['one cutoff and two', { fromKnownAt: INTERIM_AT, cutoff: '2026-12-01', toCutoff: '2026-12-31' }, 'PFS_DIFF.INVALID_OPTIONS'],
    ['an impossible cutoff', { fromCutoff: '2026-02-30', toCutoff: '2026-12-31' }, 'PFS_DIFF.INVALID_OPTIONS'],
    ['cutoffs in the wrong order', { fromCutoff: '2026-12-31', toCutoff: '2026-12-01' }, 'PFS_DIFF.INVALID_OPTIONS'],
    ['a negative position', { fromPosition: -1 }, 'PFS_DIFF.INVALID_OPTIONS'],
    ['both sides before the study existed', { fromPosition: 0, toPosition: 0 }, 'STUDY.NOT_FOUND'],
    // Reversed bounds of one kind are refused as given: two instants after the last event would otherwise both
    // resolve to the head and read as "No subject changed."; a second side before the study is no unknown study.
    ['two positions in the wrong order', { fromPosition: 20, toPosition: 10 }, 'PFS_DIFF.INVALID_OPTIONS'],
    ['two instants in the wrong order', { fromKnownAt: '2026-12-02T00:00:00Z', toKnownAt: '2026-12-01T00:00:00Z' }, 'PFS_DIFF.INVALID_OPTIONS'],
    ['a first instant after a second side before the study existed', { fromKnownAt: INTERIM_AT, toPosition: 0 }, 'PFS_DIFF.INVALID_OPTIONS'],
  ])('given %s, then the diff is refused', async (_name, options, code) => {
    expect(await refusal(diffPfs(store, STUDY, options))).toBe(code);
  });

  it('given the first side after the second (the head, then the interim), then the diff is refused', async () => {
    const head = (await store.head()).position;
    expect(await refusal(diffPfs(store, STUDY, { fromPosition: head, toKnownAt: INTERIM_AT }))).toBe('PFS_DIFF.INVALID_OPTIONS');
  });

  it('given one cutoff and two, then the refusal names the fields as the options are named in the API and the library, not as CLI flags', async () => {
    const refused = await diffPfs(store, STUDY, { fromKnownAt: INTERIM_AT, cutoff: '2026-12-01', toCutoff: '2026-12-31' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).message).toBe('give either one cutoff for both sides (cutoff) or one per side (fromCutoff, toCutoff), not both');
  });

  it('given a first side before the study was registered, then the first analysis is empty (labelled so) and every subject entered', async () => {
    const diff = await diffPfs(store, STUDY, { fromPosition: 0, toKnownAt: INTERIM_AT });
    const interim = await analysePfs(store, STUDY, { asKnownAt: INTERIM_AT });

    expect(diff.from).toMatchObject({ position: 0, studyRegistered: false });
    expect(diff.to.studyRegistered).toBe(true);
    expect([diff.before.n, diff.before.events, diff.before.censored, diff.before.median.estimate]).toEqual([0, 0, 0, null]);
    expect(diff.after.n).toBe(interim.summary.n);
    expect(diff.subjects.map((s) => [s.subjectId, s.change])).toEqual(interim.subjects.map((s) => [s.subjectId, 'entered']));
    expect(diff.delta.n).toBe(interim.summary.n);
    expect(diff.verdict).toMatch(/^At the first side the study was not yet registered\. \d+ subjects changed \(\d+ entered the analysis\)/);
    expect((await diffPfs(store, STUDY, { fromKnownAt: INTERIM_AT })).from.studyRegistered).toBe(true);
  });

  it('given a hostile study id, then it is not found and nothing is thrown past the domain error', async () => {
    expect(await refusal(diffPfs(store, '__proto__', { fromKnownAt: INTERIM_AT }))).toBe('STUDY.NOT_FOUND');
  });

  it('given a protocol amendment that shortens the horizon, then the subjects it moves are named with the amendment as a study-level cause', async () => {
    const other = new SqliteEventStore(join(dir, 'amended.sqlite'), { clock });
    try {
      await buildPfsDiffLedger(other, clock);
      const before = (await other.head()).position;
      clock.advance(60_000);
      const protocol = { ...loadDefaultProtocol(), version: 2, endpoint: { ...loadDefaultProtocol().endpoint, horizonDays: 300, rateDays: [182, 300] } };
      const amended = await executeCommand(other, { type: 'AmendProtocol', studyId: STUDY, payload: { protocol, reason: 'horizon shortened to 300 days by the sponsor' } }, { actor: ADMIN, source: 'cli' }, { clock });

      const diff = await diffPfs(other, STUDY, { fromPosition: before });

      expect(diff.studyCauses).toEqual([expect.objectContaining({ kind: 'protocol-amendment', eventId: amended.events[0].eventId, reason: 'horizon shortened to 300 days by the sponsor' })]);
      expect(diff.subjects.map((x) => [x.subjectId, x.before?.cnsr, x.after?.cnsr, x.causes.length])).toEqual([['S004', 0, 4, 0]]);
      expect(diff.verdict).toBe('1 subject changed: 1 protocol amendment.');
      expect(diff.rowRulesAmended).toBe(true);
      // Both sides at every landmark either protocol names: the first side's rate at the amended 300 days is
      // R's value on its own curve (summary(fit, times = 300)), not "NE" for a day it was not asked about.
      const first = await analysePfs(other, STUDY, { toPosition: before });
      expect(diff.delta.rates.map((r) => r.day)).toEqual([182, 300, 365]);
      expect(diff.before.rates).toEqual([182, 300, 365].map((d) => survivalAt(first.km, d)));
      expect(diff.before.rates[1].survival).not.toBeNull();
      expect(diff.after.rates[2]).toEqual({ day: 365, survival: null, lower: null, upper: null });
    } finally {
      await other.close();
    }
  });
});
