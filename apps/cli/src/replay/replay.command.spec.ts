import { clinicalReadModels, foldProjection, getCasebook, getStudyOverview, testing, type StudyOverview } from '@trial-ledger/projections';
import { formatCasebook, formatOverview } from './replay.command';

const STUDY = 'LANR-HGNET-01';

/** `replay --subject` text: a scan RECIST cannot judge is named with the reason, next to the derived ones. */
describe('replay casebook text: RECIST scans not evaluable', () => {
  it('given a follow-up left before a late baseline, then the text names it as NE with the reason and does not say RECIST failed', () => {
    // given
    const ledger = new testing.LedgerScenario(STUDY);
    ledger.registerStudy();
    const s = ledger.subject('S001');
    const first = s.baseline('2026-01-02', { diameters: [50] });
    s.enrol('2026-01-05');
    s.followUp('2026-02-01', { diameters: [45] });
    s.followUp('2026-03-30', { diameters: [40] });
    s.void(first, 'scan of another subject');
    s.baseline('2026-02-15', { diameters: [50] });
    const casebook = getCasebook(foldProjection(clinicalReadModels, ledger.projected()), STUDY, 'S001')!;
    // when
    const text = formatCasebook(casebook, { position: ledger.events.length, asKnownAt: null });
    // then
    expect(text).toContain('  2026-03-30 CT SOD 40 mm: SD (target SD)');
    expect(text).toContain('  Not evaluable (NE): the scan of 2026-02-01 is dated on or before the baseline of 2026-02-15');
    expect(text).toContain('(RECIST.ASSESSMENT_BEFORE_BASELINE)');
    expect(text).not.toContain('could not be re-derived');
  });
});

/** The header says what was asked: a position is "as of position N", not "as known at now". */
describe('replay text: the bound named in the header', () => {
  const ledger = new testing.LedgerScenario(STUDY);
  ledger.registerStudy();
  ledger.subject('S001').enrol('2026-01-05');
  const state = foldProjection(clinicalReadModels, ledger.projected());
  const casebook = getCasebook(state, STUDY, 'S001')!;
  const overview = getStudyOverview(state, STUDY) as StudyOverview;

  it('given --position 3, then the casebook and the overview say "as of position 3" and never "now"', () => {
    for (const text of [formatCasebook(casebook, { position: 3, asKnownAt: null }, 3), formatOverview(overview, { position: 3, asKnownAt: null }, 3)]) {
      expect(text.split('\n')[0]).toMatch(/ — as of position 3$/);
      expect(text).not.toContain('now');
    }
  });
  it('given --as-known-at and --position, then both are named with the position read at', () => {
    const text = formatCasebook(casebook, { position: 2, asKnownAt: '2026-01-05T00:00:00.000Z' }, 3);
    expect(text.split('\n')[0]).toMatch(/ — as known at 2026-01-05T00:00:00.000Z and as of position 3, through log position 2$/);
  });
  it('given neither, then the head: "as known now"', () =>
    expect(formatCasebook(casebook, { position: 4, asKnownAt: null }).split('\n')[0]).toMatch(/ — as known now, through log position 4$/));
});

/**
 * Part 11 §11.50: the replay text of a signed casebook says, for each signature, what it attests (the meaning in
 * the words the ODM export uses) and what it covers — the whole casebook through a version, or one record named
 * by its type and id. A monitor's review of one scan used to read like a signature over the casebook.
 */
describe('replay casebook text: what each signature covers and attests', () => {
  const ledger = new testing.LedgerScenario(STUDY);
  ledger.registerStudy();
  const s = ledger.subject('S001');
  s.enrol('2026-01-05');
  const scan = s.baseline('2026-01-02', { diameters: [50] });
  s.sign('approval');
  s.signRecord(scan, 'review');
  const casebook = getCasebook(foldProjection(clinicalReadModels, ledger.projected()), STUDY, 'S001')!;
  const [casebookSignature, recordSignature] = casebook.signatures;
  const lines = formatCasebook(casebook, { position: ledger.events.length, asKnownAt: null }).split('\n');
  const lineOf = (eventId: string): string => lines.find((line) => line.includes(eventId) && line.includes('signature')) ?? '';

  it('given a casebook signature, then its line names the meaning in words and the casebook version it covers', () => {
    const line = lines.find((l) => l.includes('Approval: I approve these data as complete and accurate')) ?? '';
    expect(line).toContain(`whole casebook through version ${casebookSignature.signedThroughVersion}`);
    expect(line).not.toContain('one record');
  });
  it('given a record signature, then its line names the one record it covers by type and id, never the whole casebook', () => {
    expect(recordSignature.scope).toEqual({ eventId: scan });
    const line = lines.find((l) => l.includes('Review: I have reviewed these data')) ?? '';
    expect(line).toContain(`one record: TumorAssessmentRecorded ${scan}`);
    expect(line).not.toContain('whole casebook');
    expect(lineOf(scan)).toBe(line);
  });
});
