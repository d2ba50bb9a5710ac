import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { DomainError } from '../../shared/domain-error';
import {
  bestOverallResponse,
  evaluateAssessments,
  evaluateFollowUp,
  overallResponse,
  startRecistTrack,
  sumOfDiameters,
  targetResponse,
  validateBaseline,
  validateFollowUp,
} from './index';
import type {
  AssessmentEvaluation,
  NonTargetStatus,
  OverallResponse,
  TargetLesion,
  TargetResponse,
  TumorAssessmentInput,
} from './index';

// --- builders -------------------------------------------------------------------------------

const lesion = (lesionId: string, diameterMm: number | null, organ = 'liver', nodal = false): TargetLesion => ({
  lesionId,
  organ,
  diameterMm,
  nodal,
});
const node = (lesionId: string, shortAxisMm: number | null, organ = 'mediastinal lymph node'): TargetLesion =>
  lesion(lesionId, shortAxisMm, organ, true);

const assessment = (
  assessmentDate: string,
  targetLesions: TargetLesion[],
  overrides: Partial<TumorAssessmentInput> = {},
): TumorAssessmentInput => ({
  assessmentDate,
  modality: 'CT',
  baseline: false,
  targetLesions,
  nonTargetStatus: 'absent',
  newLesions: false,
  ...overrides,
});
const baselineOf = (targetLesions: TargetLesion[], overrides: Partial<TumorAssessmentInput> = {}): TumorAssessmentInput =>
  assessment('2026-01-02', targetLesions, { baseline: true, ...overrides });

/** Runs `fn` and returns the DomainError it throws (failing the test if it throws nothing else). */
const domainErrorOf = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError, nothing was thrown');
};

/** One target lesion per SOD so the response rules can be exercised on sums directly. */
const respond = (baselineSod: number, nadirSod: number, sod: number | null): TargetResponse =>
  targetResponse({ baselineSod, nadirSod, lesions: [lesion('T1', sod)] });

// --- sum of diameters -----------------------------------------------------------------------

describe('sumOfDiameters', () => {
  it('given non-nodal longest diameters and nodal short axes, when summed, then both count at face value', () => {
    expect(sumOfDiameters([lesion('T1', 30), node('N1', 20), lesion('T2', 12.5, 'lung')])).toBe(62.5);
  });

  it('given decimal diameters that floating-point addition gets wrong, when summed, then the sum is exact', () => {
    expect(12.1 + 18.2).not.toBe(30.3);
    expect(sumOfDiameters([lesion('T1', 12.1), lesion('T2', 18.2)])).toBe(30.3);
  });

  it('given an unmeasured lesion, when summed, then the SOD is unknown (null)', () => {
    expect(sumOfDiameters([lesion('T1', 30), lesion('T2', null)])).toBeNull();
  });

  it('given a diameter finer than 0.01 mm, when summed, then it is refused rather than rounded', () => {
    expect(domainErrorOf(() => sumOfDiameters([lesion('T1', 12.345)])).code).toBe('RECIST.DIAMETER_PRECISION');
  });
});

// --- target response ------------------------------------------------------------------------

describe('targetResponse — PD (≥ 20 % and ≥ 5 mm above the nadir, inclusive)', () => {
  it('given a nadir of 50 mm, when the SOD is 60 mm (exactly +20 %, +10 mm), then PD', () => {
    expect(respond(50, 50, 60)).toBe('PD');
  });

  it('given a nadir of 50 mm, when the SOD is 59.95 mm (+19.9 %), then SD', () => {
    expect(respond(50, 50, 59.95)).toBe('SD');
  });

  it('given a nadir of 20 mm, when the SOD is 24 mm (+20 % but only +4 mm), then SD', () => {
    expect(respond(20, 20, 24)).toBe('SD');
  });

  it('given a nadir of 20 mm, when the SOD is 24.99 mm (+4.99 mm), then SD; at 25 mm (+5 mm) PD', () => {
    expect(respond(20, 20, 24.99)).toBe('SD');
    expect(respond(20, 20, 25)).toBe('PD');
  });

  it('given a nadir of 25 mm, when the SOD is 30 mm (exactly +20 % and exactly +5 mm), then PD', () => {
    expect(respond(25, 25, 30)).toBe('PD');
  });

  it('given a nadir of 25.1 mm, when the SOD is 30.12 mm (exactly +20 %, a float percentage says 19.99…), then PD', () => {
    expect((30.12 - 25.1) / 25.1 >= 0.2).toBe(false);
    expect(respond(25.1, 25.1, 30.12)).toBe('PD');
  });

  it('given shrinkage to a nadir of 40 mm from 100 mm, when the SOD regrows to 50 mm (still −50 % from baseline), then PD', () => {
    expect(respond(100, 40, 50)).toBe('PD');
  });
});

describe('targetResponse — PR (≥ 30 % below baseline, inclusive)', () => {
  it('given a baseline of 100 mm, when the SOD is 70 mm (exactly −30 %), then PR', () => {
    expect(respond(100, 100, 70)).toBe('PR');
  });

  it('given a baseline of 100 mm, when the SOD is 70.01 mm (−29.99 %), then SD', () => {
    expect(respond(100, 100, 70.01)).toBe('SD');
  });

  it('given a baseline of 41.3 mm, when the SOD is 28.91 mm (exactly −30 %, which floats miss), then PR', () => {
    expect(28.91 / 41.3 <= 0.7).toBe(false);
    expect(respond(41.3, 41.3, 28.91)).toBe('PR');
  });

  it('given a baseline of 100 mm and a nadir of 65 mm, when the SOD is 69 mm (+6 %), then still PR against baseline', () => {
    expect(respond(100, 65, 69)).toBe('PR');
  });
});

describe('targetResponse — CR (non-nodal targets 0 mm, nodal targets < 10 mm)', () => {
  const baseline = 40;

  it('given a liver target gone and a nodal target at 9.9 mm, when evaluated, then CR although the SOD is 9.9 mm', () => {
    expect(targetResponse({ baselineSod: baseline, nadirSod: baseline, lesions: [lesion('T1', 0), node('N1', 9.9)] })).toBe('CR');
  });

  it('given a liver target gone and a nodal target at 10 mm, when evaluated, then not CR but PR (−75 %)', () => {
    expect(targetResponse({ baselineSod: baseline, nadirSod: baseline, lesions: [lesion('T1', 0), node('N1', 10)] })).toBe('PR');
  });

  it('given a non-nodal target at 0.1 mm, when evaluated, then not CR', () => {
    expect(targetResponse({ baselineSod: baseline, nadirSod: baseline, lesions: [lesion('T1', 0.1), node('N1', 5)] })).toBe('PR');
  });

  it('given a node shrunk to 4 mm, when it grows to 9.9 mm (+147 %, +5.9 mm), then CR — a normal-sized node is not progression', () => {
    expect(targetResponse({ baselineSod: baseline, nadirSod: 4, lesions: [lesion('T1', 0), node('N1', 9.9)] })).toBe('CR');
  });
});

describe('targetResponse — NE (a target not measured)', () => {
  it('given one target unmeasured and the other shrunk to CR size, when evaluated, then NE', () => {
    expect(targetResponse({ baselineSod: 40, nadirSod: 40, lesions: [lesion('T1', 0), lesion('T2', null)] })).toBe('NE');
  });

  it('given one target unmeasured, when the measured ones are below PD, then NE', () => {
    expect(targetResponse({ baselineSod: 40, nadirSod: 30, lesions: [lesion('T1', 30), lesion('T2', null)] })).toBe('NE');
  });

  it('given one target unmeasured, when the measured ones alone reach PD against the nadir, then PD overrides NE', () => {
    expect(targetResponse({ baselineSod: 40, nadirSod: 30, lesions: [lesion('T1', 36), lesion('T2', null)] })).toBe('PD');
  });

  it('given negative or inconsistent reference sums, when evaluated, then RECIST.INVALID_SOD', () => {
    expect(domainErrorOf(() => respond(-1, 0, 10)).code).toBe('RECIST.INVALID_SOD');
    expect(domainErrorOf(() => respond(0, 0, 10)).code).toBe('RECIST.INVALID_SOD');
    expect(domainErrorOf(() => respond(50, 60, 10)).code).toBe('RECIST.INVALID_SOD');
  });
});

// --- overall response (RECIST 1.1 Table 1) ---------------------------------------------------

describe('overallResponse (RECIST 1.1 Table 1)', () => {
  const rows: Array<[TargetResponse, NonTargetStatus, boolean, OverallResponse]> = [
    ['CR', 'absent', false, 'CR'],
    ['CR', 'present', false, 'PR'],
    ['CR', 'not-evaluated', false, 'PR'],
    ['PR', 'absent', false, 'PR'],
    ['PR', 'present', false, 'PR'],
    ['PR', 'not-evaluated', false, 'PR'],
    ['SD', 'present', false, 'SD'],
    ['SD', 'not-evaluated', false, 'SD'],
    ['NE', 'absent', false, 'NE'],
    ['NE', 'present', false, 'NE'],
    ['PD', 'absent', false, 'PD'],
    ['CR', 'unequivocal-progression', false, 'PD'],
    ['SD', 'unequivocal-progression', false, 'PD'],
    ['NE', 'unequivocal-progression', false, 'PD'],
    ['CR', 'absent', true, 'PD'],
    ['PR', 'present', true, 'PD'],
    ['NE', 'not-evaluated', true, 'PD'],
  ];

  it.each(rows)('given target %s, non-target %s and new lesions %s, when combined, then %s', (target, nonTargetStatus, newLesions, expected) => {
    expect(overallResponse({ target, nonTargetStatus, newLesions })).toBe(expected);
  });
});

// --- baseline validation --------------------------------------------------------------------

describe('validateBaseline', () => {
  const refusedWith = (input: TumorAssessmentInput): DomainError => domainErrorOf(() => validateBaseline(input));

  it('given 1–5 measurable targets, at most 2 per organ, when validated, then accepted', () => {
    expect(() =>
      validateBaseline(baselineOf([lesion('T1', 10), lesion('T2', 22, 'liver'), lesion('T3', 15, 'lung'), node('N1', 15), node('N2', 18, 'axillary lymph node')])),
    ).not.toThrow();
  });

  it('given no target lesion, when validated, then RECIST.NO_TARGETS (a validation error)', () => {
    const error = refusedWith(baselineOf([]));
    expect(error.code).toBe('RECIST.NO_TARGETS');
    expect(error.kind).toBe('validation');
  });

  it('given six targets, when validated, then RECIST.TOO_MANY_TARGETS', () => {
    const organs = ['liver', 'lung', 'bone', 'peritoneum', 'adrenal', 'spleen'];
    expect(refusedWith(baselineOf(organs.map((o, i) => lesion(`T${i}`, 20, o)))).code).toBe('RECIST.TOO_MANY_TARGETS');
  });

  it('given three liver targets spelled "Liver", " liver" and "LIVER", when validated, then RECIST.TOO_MANY_PER_ORGAN', () => {
    const error = refusedWith(baselineOf([lesion('T1', 20, 'Liver'), lesion('T2', 20, ' liver'), lesion('T3', 20, 'LIVER')]));
    expect(error.code).toBe('RECIST.TOO_MANY_PER_ORGAN');
    expect(error.details).toEqual({ organ: 'liver', count: 3 });
  });

  it('given three liver targets, one organ name padded with a zero-width space or a doubled space, when validated, then RECIST.TOO_MANY_PER_ORGAN (organs as a reader sees them)', () => {
    const error = refusedWith(baselineOf([lesion('T1', 20, 'liver'), lesion('T2', 20, 'liver\u200b'), lesion('T3', 20, '\u2060Liver')]));
    expect(error.code).toBe('RECIST.TOO_MANY_PER_ORGAN');
    expect(error.details).toEqual({ organ: 'liver', count: 3 });
    expect(refusedWith(baselineOf([lesion('T1', 20, 'left lung'), lesion('T2', 20, 'left  lung'), lesion('T3', 20, 'Left lung')])).code).toBe('RECIST.TOO_MANY_PER_ORGAN');
  });

  it('given three targets in one organ spelled in composed and decomposed Unicode ("Côlon" as U+00F4 and as o + U+0302), when validated, then RECIST.TOO_MANY_PER_ORGAN (canonically equivalent names are one organ)', () => {
    const error = refusedWith(baselineOf([lesion('T1', 20, 'C\u00f4lon'), lesion('T2', 20, 'C\u00f4lon'), lesion('T3', 20, 'Co\u0302lon')]));
    expect(error.code).toBe('RECIST.TOO_MANY_PER_ORGAN');
    expect(error.details).toEqual({ organ: 'c\u00f4lon', count: 3 });
  });

  it('given two lesion ids that differ only in Unicode composition ("é1" composed and decomposed), when validated, then RECIST.DUPLICATE_LESION', () => {
    expect(refusedWith(baselineOf([lesion('\u00e91', 20), lesion('e\u03011', 25, 'lung')])).code).toBe('RECIST.DUPLICATE_LESION');
  });

  it('given two lesion ids that read the same ("T1" and "T1" with a zero-width space), when validated, then RECIST.DUPLICATE_LESION', () => {
    expect(refusedWith(baselineOf([lesion('T1', 20), lesion('T1\u200b', 25, 'lung')])).code).toBe('RECIST.DUPLICATE_LESION');
  });

  it.each([['lesionId', '\u200b'], ['organ', '\u3164\u200b']])('given a %s made only of invisible characters, when validated, then RECIST.INVALID_LESION', (field, value) => {
    const blank = field === 'lesionId' ? lesion(value, 20) : lesion('T1', 20, value);
    expect(refusedWith(baselineOf([blank])).code).toBe('RECIST.INVALID_LESION');
  });

  it('given three target nodes in different chains, when validated, then RECIST.TOO_MANY_PER_ORGAN (nodes are one organ)', () => {
    const error = refusedWith(baselineOf([node('N1', 20, 'mediastinal'), node('N2', 20, 'axillary'), node('N3', 20, 'para-aortic')]));
    expect(error.code).toBe('RECIST.TOO_MANY_PER_ORGAN');
    expect(error.details).toEqual({ organ: 'lymph node', count: 3 });
  });

  it('given an unmeasured target, when validated, then RECIST.BASELINE_NOT_MEASURED', () => {
    expect(refusedWith(baselineOf([lesion('T1', 20), lesion('T2', null, 'lung')])).code).toBe('RECIST.BASELINE_NOT_MEASURED');
  });

  it('given the same lesion id twice, when validated, then RECIST.DUPLICATE_LESION', () => {
    expect(refusedWith(baselineOf([lesion('T1', 20), lesion('T1', 25, 'lung')])).code).toBe('RECIST.DUPLICATE_LESION');
  });

  it('given a non-nodal target of 9.9 mm, when validated, then RECIST.BELOW_MEASURABLE_SIZE; at 10 mm accepted', () => {
    expect(refusedWith(baselineOf([lesion('T1', 9.9)])).code).toBe('RECIST.BELOW_MEASURABLE_SIZE');
    expect(() => validateBaseline(baselineOf([lesion('T1', 10)]))).not.toThrow();
  });

  it('given a nodal target of 14.9 mm short axis (pathological, but non-target), when validated, then RECIST.BELOW_MEASURABLE_SIZE; at 15 mm accepted', () => {
    expect(refusedWith(baselineOf([node('N1', 14.9)])).code).toBe('RECIST.BELOW_MEASURABLE_SIZE');
    expect(() => validateBaseline(baselineOf([node('N1', 15)]))).not.toThrow();
  });

  it.each([[-1], [Number.NaN], [Number.POSITIVE_INFINITY]])('given a diameter of %p, when validated, then RECIST.INVALID_DIAMETER', (value) => {
    expect(refusedWith(baselineOf([lesion('T1', value)])).code).toBe('RECIST.INVALID_DIAMETER');
  });

  it('given a diameter of 12.345 mm, when validated, then RECIST.DIAMETER_PRECISION', () => {
    expect(refusedWith(baselineOf([lesion('T1', 12.345)])).code).toBe('RECIST.DIAMETER_PRECISION');
  });

  it.each([[1e-9], [5e-324], [20.0000001]])('given a diameter of %p mm (within the float tolerance of the arithmetic, yet no measurement), when validated, then RECIST.DIAMETER_PRECISION', (value) => {
    expect(refusedWith(baselineOf([lesion('T1', 20), node('N1', value)])).code).toBe('RECIST.DIAMETER_PRECISION');
  });

  it('given diameters to 0.01 mm, when validated, then accepted', () => {
    expect(() => validateBaseline(baselineOf([lesion('T1', 20.05), node('N1', 15.1)]))).not.toThrow();
  });

  it('given new lesions or unequivocal non-target progression on the baseline, when validated, then refused', () => {
    expect(refusedWith(baselineOf([lesion('T1', 20)], { newLesions: true })).code).toBe('RECIST.NEW_LESIONS_AT_BASELINE');
    expect(refusedWith(baselineOf([lesion('T1', 20)], { nonTargetStatus: 'unequivocal-progression' })).code).toBe(
      'RECIST.PROGRESSION_AT_BASELINE',
    );
  });

  it('given a malformed date, modality or status, when validated, then the matching code', () => {
    expect(refusedWith(baselineOf([lesion('T1', 20)], { assessmentDate: '2026-02-30' })).code).toBe('RECIST.INVALID_DATE');
    expect(refusedWith(baselineOf([lesion('T1', 20)], { modality: 'PET' as never })).code).toBe('RECIST.INVALID_MODALITY');
    expect(refusedWith(baselineOf([lesion('T1', 20)], { nonTargetStatus: 'stable' as never })).code).toBe('RECIST.INVALID_NON_TARGET_STATUS');
    expect(refusedWith(baselineOf([lesion('T1', 20, '  ')])).code).toBe('RECIST.INVALID_LESION');
  });

  it('given an assessment not flagged baseline, when validated as one, then RECIST.NOT_BASELINE', () => {
    expect(refusedWith(assessment('2026-01-02', [lesion('T1', 20)])).code).toBe('RECIST.NOT_BASELINE');
  });
});

// --- follow-up validation -------------------------------------------------------------------

describe('validateFollowUp', () => {
  const baseline = baselineOf([lesion('T1', 30, 'liver'), node('N1', 20)]);
  const refusedWith = (lesions: TargetLesion[]): DomainError =>
    domainErrorOf(() => validateFollowUp(baseline, assessment('2026-03-27', lesions)));

  it('given exactly the baseline lesions (organ case aside, one unmeasured), when validated, then accepted', () => {
    expect(() => validateFollowUp(baseline, assessment('2026-03-27', [node('N1', 8), lesion('T1', null, 'Liver')]))).not.toThrow();
  });

  it('given a baseline lesion left out, when validated, then RECIST.LESION_SET_MISMATCH naming it (a conflict)', () => {
    const error = refusedWith([lesion('T1', 25)]);
    expect(error.code).toBe('RECIST.LESION_SET_MISMATCH');
    expect(error.kind).toBe('conflict');
    expect(error.details).toEqual({ missing: ['N1'], unexpected: [], changed: [] });
  });

  it('given an extra lesion, when validated, then RECIST.LESION_SET_MISMATCH naming it', () => {
    expect(refusedWith([lesion('T1', 25), node('N1', 12), lesion('T9', 12, 'lung')]).details).toEqual({
      missing: [],
      unexpected: ['T9'],
      changed: [],
    });
  });

  it('given a lesion moved to another organ or its nodal flag flipped, when validated, then RECIST.LESION_SET_MISMATCH', () => {
    expect(refusedWith([lesion('T1', 25, 'lung'), node('N1', 12)]).details).toEqual({ missing: [], unexpected: [], changed: ['T1'] });
    expect(refusedWith([lesion('T1', 25), lesion('N1', 12, 'mediastinal lymph node')]).details).toEqual({
      missing: [],
      unexpected: [],
      changed: ['N1'],
    });
  });

  it('given a follow-up flagged as baseline, when validated, then RECIST.MULTIPLE_BASELINES', () => {
    const error = domainErrorOf(() => validateFollowUp(baseline, assessment('2026-03-27', baseline.targetLesions, { baseline: true })));
    expect(error.code).toBe('RECIST.MULTIPLE_BASELINES');
  });
});

// --- the fold -------------------------------------------------------------------------------

describe('evaluateAssessments', () => {
  it('given a baseline, when evaluated, then its SOD is the reference and it has no response', () => {
    const [base] = evaluateAssessments([baselineOf([lesion('T1', 30), node('N1', 20)])]);
    expect(base).toEqual<AssessmentEvaluation>({
      assessmentDate: '2026-01-02',
      baseline: true,
      sod: 50,
      nadirBefore: null,
      percentFromBaseline: 0,
      percentFromNadir: null,
      targetResponse: null,
      overallResponse: null,
    });
  });

  it('given the baseline is the smallest SOD, when a follow-up is +20 % and +10 mm over it, then PD against the baseline nadir', () => {
    const result = evaluateAssessments([baselineOf([lesion('T1', 50)]), assessment('2026-03-27', [lesion('T1', 60)])]);
    expect(result[1]).toMatchObject({ sod: 60, nadirBefore: 50, percentFromNadir: 20, targetResponse: 'PD', overallResponse: 'PD' });
  });

  it('given assessments out of date order, when evaluated, then they are folded and returned in date order', () => {
    const result = evaluateAssessments([
      assessment('2026-06-19', [lesion('T1', 72)]),
      baselineOf([lesion('T1', 100)]),
      assessment('2026-03-27', [lesion('T1', 60)]),
    ]);
    expect(result.map((e) => [e.assessmentDate, e.nadirBefore, e.targetResponse])).toEqual([
      ['2026-01-02', null, null],
      ['2026-03-27', 100, 'PR'],
      ['2026-06-19', 60, 'PD'],
    ]);
  });

  it('given an NE time point, when later ones are evaluated, then the nadir ignores the unknown SOD', () => {
    const result = evaluateAssessments([
      baselineOf([lesion('T1', 30), lesion('T2', 20, 'lung')]),
      assessment('2026-03-27', [lesion('T1', 1), lesion('T2', null, 'lung')]),
      assessment('2026-06-19', [lesion('T1', 30), lesion('T2', 20, 'lung')]),
    ]);
    expect(result[1]).toMatchObject({ sod: null, targetResponse: 'NE', overallResponse: 'NE' });
    expect(result[2]).toMatchObject({ nadirBefore: 50, targetResponse: 'SD' });
  });

  it('given target CR with a new lesion, when evaluated, then overall PD while the target response stays CR', () => {
    const result = evaluateAssessments([baselineOf([lesion('T1', 30)]), assessment('2026-03-27', [lesion('T1', 0)], { newLesions: true })]);
    expect(result[1]).toMatchObject({ targetResponse: 'CR', overallResponse: 'PD' });
  });

  it('given stable targets with unequivocal non-target progression, when evaluated, then overall PD', () => {
    const result = evaluateAssessments([
      baselineOf([lesion('T1', 30)], { nonTargetStatus: 'present' }),
      assessment('2026-03-27', [lesion('T1', 29)], { nonTargetStatus: 'unequivocal-progression' }),
    ]);
    expect(result[1]).toMatchObject({ targetResponse: 'SD', overallResponse: 'PD' });
  });

  it('given no baseline, two baselines, a follow-up before baseline or two on one date, when evaluated, then refused', () => {
    const base = baselineOf([lesion('T1', 30)]);
    expect(domainErrorOf(() => evaluateAssessments([assessment('2026-03-27', [lesion('T1', 30)])])).code).toBe('RECIST.NO_BASELINE');
    expect(domainErrorOf(() => evaluateAssessments([base, { ...base, assessmentDate: '2026-01-03' }])).code).toBe(
      'RECIST.MULTIPLE_BASELINES',
    );
    expect(domainErrorOf(() => evaluateAssessments([base, assessment('2025-12-20', [lesion('T1', 30)])])).code).toBe(
      'RECIST.ASSESSMENT_BEFORE_BASELINE',
    );
    const sameDay = [base, assessment('2026-03-27', [lesion('T1', 30)]), assessment('2026-03-27', [lesion('T1', 31)])];
    expect(domainErrorOf(() => evaluateAssessments(sameDay)).code).toBe('RECIST.DUPLICATE_ASSESSMENT_DATE');
  });

  it('given a follow-up whose lesions differ from baseline, when evaluated, then RECIST.LESION_SET_MISMATCH', () => {
    const error = domainErrorOf(() => evaluateAssessments([baselineOf([lesion('T1', 30)]), assessment('2026-03-27', [lesion('T2', 30)])]));
    expect(error.code).toBe('RECIST.LESION_SET_MISMATCH');
  });
});

describe('reappearance after a complete response (EORTC RECIST 1.1 FAQ: "Does a new lesion always result in PD?", "Abnormal lymph node")', () => {
  const responses = (...steps: TumorAssessmentInput[]) => evaluateAssessments(steps).slice(1).map((e) => [e.targetResponse, e.overallResponse]);

  it('given an overall CR, when a vanished target lesion reappears at 4 mm (below the 20 % / 5 mm rule on a 0 mm nadir), then PD', () => {
    expect(responses(baselineOf([lesion('T1', 30)]), assessment('2026-03-27', [lesion('T1', 0)]), assessment('2026-06-19', [lesion('T1', 4)]))).toEqual([
      ['CR', 'CR'],
      ['PD', 'PD'],
    ]);
  });

  it('given an overall CR, when a target node is 10 mm short axis again (pathological), then PD; a node still below 10 mm stays CR', () => {
    const base = baselineOf([node('N1', 20)]);
    expect(responses(base, assessment('2026-03-27', [node('N1', 9.9)]), assessment('2026-06-19', [node('N1', 10)]))).toEqual([['CR', 'CR'], ['PD', 'PD']]);
    expect(responses(base, assessment('2026-03-27', [node('N1', 5)]), assessment('2026-06-19', [node('N1', 9.9)]))).toEqual([['CR', 'CR'], ['CR', 'CR']]);
  });

  it('given an overall CR, an NE time point in between does not clear it: the reappearance after it is PD; an unmeasured lesion beside it does not hide it', () => {
    expect(
      responses(
        baselineOf([lesion('T1', 30), lesion('T2', 20)]),
        assessment('2026-03-27', [lesion('T1', 0), lesion('T2', 0)]),
        assessment('2026-06-19', [lesion('T1', null), lesion('T2', 0)]),
        assessment('2026-09-11', [lesion('T1', null), lesion('T2', 3)]),
      ),
    ).toEqual([['CR', 'CR'], ['NE', 'NE'], ['PD', 'PD']]);
  });

  it('given a target CR that was only an overall PR (non-targets present), a reappearing lesion is judged by the sum: not PD below 5 mm', () => {
    expect(
      responses(
        baselineOf([lesion('T1', 30)], { nonTargetStatus: 'present' }),
        assessment('2026-03-27', [lesion('T1', 0)], { nonTargetStatus: 'present' }),
        assessment('2026-06-19', [lesion('T1', 4)], { nonTargetStatus: 'present' }),
      ),
    ).toEqual([['CR', 'PR'], ['PR', 'PR']]);
  });
});

describe('startRecistTrack / evaluateFollowUp (incremental, for a decider)', () => {
  it('given a track, when follow-ups are stepped one at a time, then the track carries the nadir; a second scan on one date is refused', () => {
    const { track } = startRecistTrack(baselineOf([lesion('T1', 100)]));
    const first = evaluateFollowUp(track, assessment('2026-03-27', [lesion('T1', 60)]));
    expect(first.track).toMatchObject({ baselineSodHundredths: 10_000, nadirSodHundredths: 6_000, lastAssessmentDate: '2026-03-27' });
    expect(evaluateFollowUp(first.track, assessment('2026-06-19', [lesion('T1', 72)])).evaluation.targetResponse).toBe('PD');
    expect(domainErrorOf(() => evaluateFollowUp(first.track, assessment('2026-03-27', [lesion('T1', 72)]))).code).toBe('RECIST.DUPLICATE_ASSESSMENT_DATE');
    expect(domainErrorOf(() => evaluateFollowUp(first.track, assessment('2026-01-02', [lesion('T1', 72)]))).code).toBe('RECIST.ASSESSMENT_BEFORE_BASELINE');
    expect(JSON.parse(JSON.stringify(first.track))).toEqual(first.track);
  });

  it('given a scan entered late (dated before the latest), then it is judged against the scans dated before it and the track is as if entered in date order', () => {
    const { track } = startRecistTrack(baselineOf([lesion('T1', 100)]));
    const later = evaluateFollowUp(track, assessment('2026-06-19', [lesion('T1', 90)]));
    const late = evaluateFollowUp(later.track, assessment('2026-03-27', [lesion('T1', 60)]));
    expect(late.evaluation).toMatchObject({ assessmentDate: '2026-03-27', nadirBefore: 100, targetResponse: 'PR' });
    expect(late.track).toMatchObject({ nadirSodHundredths: 6_000, lastAssessmentDate: '2026-06-19', lastEvaluableResponse: 'PD' });
    const inOrder = evaluateFollowUp(evaluateFollowUp(track, assessment('2026-03-27', [lesion('T1', 60)])).track, assessment('2026-06-19', [lesion('T1', 90)]));
    expect(late.track).toEqual(inOrder.track);
    expect(evaluateFollowUp(late.track, assessment('2026-09-11', [lesion('T1', 72)])).evaluation.targetResponse).toBe('PD');
  });

  it('given a CR entered late before a later PR, a lesion reappearing after the PR is judged by the sum (the latest evaluable response is not CR)', () => {
    const { track } = startRecistTrack(baselineOf([lesion('T1', 30)]));
    const pr = evaluateFollowUp(track, assessment('2026-06-19', [lesion('T1', 0)], { nonTargetStatus: 'present' }));
    const cr = evaluateFollowUp(pr.track, assessment('2026-03-27', [lesion('T1', 0)]));
    expect(cr.evaluation.overallResponse).toBe('CR');
    expect(evaluateFollowUp(cr.track, assessment('2026-09-11', [lesion('T1', 4)], { nonTargetStatus: 'present' })).evaluation.targetResponse).toBe('PR');
  });
});

// --- best overall response -------------------------------------------------------------------

describe('bestOverallResponse (confirmation ≥ 28 days)', () => {
  /** A timeline of overall responses on the given days after a baseline on 2026-01-02. */
  const timeline = (...points: Array<[number, OverallResponse]>): AssessmentEvaluation[] => {
    const at = (day: number): string => new Date(Date.UTC(2026, 0, 2 + day)).toISOString().slice(0, 10);
    const base: AssessmentEvaluation = {
      assessmentDate: at(0),
      baseline: true,
      sod: 50,
      nadirBefore: null,
      percentFromBaseline: 0,
      percentFromNadir: null,
      targetResponse: null,
      overallResponse: null,
    };
    return [
      base,
      ...points.map(([day, response]) => ({ ...base, assessmentDate: at(day), baseline: false, targetResponse: response, overallResponse: response })),
    ];
  };

  it('given CR then CR exactly 28 days later, when best response is derived, then confirmed CR', () => {
    expect(bestOverallResponse(timeline([84, 'CR'], [112, 'CR']))).toEqual({ response: 'CR', responseDate: '2026-03-27', confirmedOn: '2026-04-24' });
  });

  it('given CR then CR only 27 days later, when best response is derived, then not confirmed: SD', () => {
    expect(bestOverallResponse(timeline([84, 'CR'], [111, 'CR'])).response).toBe('SD');
  });

  it('given PR then CR, or CR then PR, when best response is derived, then PR', () => {
    expect(bestOverallResponse(timeline([84, 'PR'], [168, 'CR'])).response).toBe('PR');
    expect(bestOverallResponse(timeline([84, 'CR'], [168, 'PR'])).response).toBe('PR');
  });

  it('given PR, then NE, then PR, when best response is derived, then the NE does not break the confirmation', () => {
    expect(bestOverallResponse(timeline([84, 'PR'], [168, 'NE'], [252, 'PR']))).toEqual({
      response: 'PR',
      responseDate: '2026-03-27',
      confirmedOn: '2026-09-11',
    });
  });

  it('given PR then PD, when best response is derived, then SD (the PR is unconfirmed)', () => {
    expect(bestOverallResponse(timeline([84, 'PR'], [168, 'PD']))).toEqual({ response: 'SD', responseDate: '2026-03-27', confirmedOn: null });
  });

  it('given PD, then PR twice, when best response is derived, then PD: nothing after progression counts', () => {
    expect(bestOverallResponse(timeline([84, 'PD'], [168, 'PR'], [252, 'PR']))).toEqual({
      response: 'PD',
      responseDate: '2026-03-27',
      confirmedOn: null,
    });
  });

  it('given SD before the 42-day minimum, then PD, when best response is derived, then PD; with no PD, NE', () => {
    expect(bestOverallResponse(timeline([41, 'SD'], [84, 'PD'])).response).toBe('PD');
    expect(bestOverallResponse(timeline([41, 'SD'])).response).toBe('NE');
    expect(bestOverallResponse(timeline([42, 'SD'])).response).toBe('SD');
  });

  it('given a protocol start date and minimum, when best response is derived, then SD counts from that start', () => {
    expect(bestOverallResponse(timeline([60, 'SD']), { startDate: '2026-01-20', minStableDiseaseDays: 42 }).response).toBe('SD');
    expect(bestOverallResponse(timeline([60, 'SD']), { startDate: '2026-01-25', minStableDiseaseDays: 42 }).response).toBe('NE');
  });

  it('given only a baseline or only NE time points, when best response is derived, then NE', () => {
    expect(bestOverallResponse(timeline()).response).toBe('NE');
    expect(bestOverallResponse(timeline([84, 'NE'], [168, 'NE'])).response).toBe('NE');
  });
});

// --- worked examples -------------------------------------------------------------------------

interface RecistFixture {
  name: string;
  source: string;
  note: string;
  assessments: TumorAssessmentInput[];
  expected: Array<Partial<AssessmentEvaluation>>;
  bestOverallResponse: ReturnType<typeof bestOverallResponse>;
}

const fixturesDir = join(__dirname, 'fixtures');
const fixtures: RecistFixture[] = readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(fixturesDir, f), 'utf8')) as RecistFixture);

describe('worked examples after Eisenhauer et al. 2009 (fixtures/*.json)', () => {
  it('has the fixtures, each citing its source', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(5);
    for (const fixture of fixtures) expect(fixture.source).toMatch(/Eisenhauer/);
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('given the assessments of "%s", when evaluated, then the expected responses', (_, fixture) => {
    const evaluations = evaluateAssessments(fixture.assessments);
    expect(evaluations).toHaveLength(fixture.expected.length);
    fixture.expected.forEach((expected, i) => expect(evaluations[i]).toMatchObject(expected));
    expect(bestOverallResponse(evaluations)).toEqual(fixture.bestOverallResponse);
  });
});
