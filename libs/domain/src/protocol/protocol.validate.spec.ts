import { DomainError } from '../shared/domain-error';
import { loadDefaultProtocol, protocolProblems, systemQueryDeviations, validateProtocol } from './protocol.validate';

const problemsOf = (doc: unknown): string[] => {
  try {
    validateProtocol(doc);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('PROTOCOL.INVALID');
    expect((error as DomainError).kind).toBe('validation');
    return (error as DomainError).details?.problems as string[];
  }
  throw new Error('expected the protocol to be refused');
};

const DELETE = Symbol('delete');
/** A copy of the seed protocol with fields (dotted paths) set to other values, or deleted. */
const withChange = (changes: Record<string, unknown>): unknown => {
  const doc = structuredClone(loadDefaultProtocol()) as unknown as Record<string, unknown>;
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.');
    const parent = keys.slice(0, -1).reduce((o, k) => o[k] as Record<string, unknown>, doc);
    if (value === DELETE) delete parent[keys.at(-1)!];
    else parent[keys.at(-1)!] = value;
  }
  return doc;
};

describe('validateProtocol', () => {
  it('given the seed protocol, when loaded, then it is the LANR-HGNET-01 document of SPEC §1', () => {
    const protocol = loadDefaultProtocol();
    expect(protocol.studyId).toBe('LANR-HGNET-01');
    expect(protocol.targetEnrollment).toBe(28);
    expect(protocol.treatment).toMatchObject({ doseMg: 120, route: 'deep-sc', intervalDays: 28, windowDays: 3, firstDose: { fromDay: 0, toDay: 7 } });
    expect(protocol.assessments).toMatchObject({ baselineWindowDays: 28, intervalDays: 84, windowDays: 7 });
    expect(protocol.endpoint.horizonDays).toBe(365);
    expect(protocolProblems(protocol)).toEqual([]);
  });

  it('given the seed protocol, when loaded twice, then each call returns an independent copy', () => {
    const a = loadDefaultProtocol() as unknown as Record<string, unknown>;
    a.targetEnrollment = 1;
    expect(loadDefaultProtocol().targetEnrollment).toBe(28);
  });

  it.each([
    ['not an object', 42, 'the protocol document must be a JSON object'],
    ['a missing studyId', withChange({ studyId: DELETE }), 'studyId: must be a non-empty string'],
    ['version 0', withChange({ version: 0 }), 'version: must be an integer'],
    ['a fractional cap', withChange({ targetEnrollment: 2.5 }), 'targetEnrollment: must be an integer'],
    ['a negative dose', withChange({ 'treatment.doseMg': -1 }), 'treatment.doseMg'],
    ['an overlapping dose window', withChange({ 'treatment.windowDays': 14 }), 'treatment.windowDays: the ± window'],
    ['a first-dose window ending before it starts', withChange({ 'treatment.firstDose': { fromDay: 7, toDay: 0 } }), 'treatment.firstDose: toDay'],
    ['an empty modality list', withChange({ 'assessments.modalities': [] }), 'assessments.modalities: must be a non-empty list'],
    ['an unknown modality', withChange({ 'assessments.modalities': ['PET'] }), 'assessments.modalities[0]: must be one of CT, MRI'],
    ['a rate day beyond the horizon', withChange({ 'endpoint.rateDays': [400] }), 'endpoint.rateDays: must not lie beyond'],
    ['duplicate primary sites', withChange({ 'eligibility.primarySites': ['rectum', 'rectum'] }), 'eligibility.primarySites: must not contain duplicates'],
    ['primary sites that read alike', withChange({ 'eligibility.primarySites': ['rectum', 'Rectum\u200b '] }), 'eligibility.primarySites: must not contain duplicates'],
    ['WHO grade 4', withChange({ 'eligibility.whoGrades': [4] }), 'eligibility.whoGrades[0]: must be one of 1, 2, 3'],
    ['Ki-67 above 100 %', withChange({ 'eligibility.maxKi67Percent': 101 }), 'eligibility.maxKi67Percent'],
    ['a subnormal dose (1e-320 mg)', withChange({ 'treatment.doseMg': 1e-320 }), 'treatment.doseMg: must be given to at most 3 decimal places of mg'],
    ['a dose to 0.0001 mg', withChange({ 'treatment.doseMg': 120.0001 }), 'treatment.doseMg: must be given to at most 3 decimal places'],
    ['a Ki-67 maximum to 0.001 %', withChange({ 'eligibility.maxKi67Percent': 20.005 }), 'eligibility.maxKi67Percent: must be given to at most 2 decimal places of %'],
    ['ECOG 5', withChange({ 'eligibility.maxEcog': 5 }), 'eligibility.maxEcog'],
    ['a string boolean', withChange({ 'eligibility.requireMeasurableDisease': 'yes' }), 'eligibility.requireMeasurableDisease: must be true or false'],
    ['a misspelt field', withChange({ targetEnrolment: 28 }), 'targetEnrolment: unknown field'],
    ['a missing section', withChange({ endpoint: DELETE }), 'endpoint: must be an object'],
    ['a title with a right-to-left override', withChange({ title: 'Study of \u202eedirotoenal' }), 'title: contains the control or bidirectional-override character U+202E'],
    ['a study id no route can name (a space, a slash)', withChange({ studyId: 'BAD ID/2' }), 'studyId: must be 1–64 letters, digits'],
    ['a study id with a line feed', withChange({ studyId: 'LANR\nX' }), 'studyId: must be 1–64 letters, digits'],
    ['the study id __proto__', withChange({ studyId: '__proto__' }), 'studyId: must be 1–64 letters, digits'],
    ['a title of zero-width spaces only', withChange({ title: '\u200b\u200b' }), 'title: must be a non-empty string'],
    ['a treatment route of a Hangul filler only', withChange({ 'treatment.route': '\u3164' }), 'treatment.route: must be a non-empty string'],
    ['a primary site of a word joiner only', withChange({ 'eligibility.primarySites': ['rectum', '\u2060'] }), 'eligibility.primarySites[1]: must be a non-empty string'],
    ['a primary site with an escape sequence', withChange({ 'eligibility.primarySites': ['rectum', 'colon\u001b[8m'] }), 'eligibility.primarySites[1]: must be a non-empty string'],
  ])('given %s, when validated, then PROTOCOL.INVALID names the problem', (_name, doc, expected) => {
    expect(problemsOf(doc).some((p) => p.startsWith(expected))).toBe(true);
  });

  it('given several problems, when validated, then every one is listed', () => {
    const problems = problemsOf(withChange({ title: '', 'treatment.intervalDays': 0, 'eligibility.diseaseStatuses': ['cured'] }));
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^title:/),
      expect.stringMatching(/^treatment\.intervalDays:/),
      expect.stringMatching(/^eligibility\.diseaseStatuses\[0\]:/),
    ]));
  });

  it('given the edit checks name an unknown deviation, when validated, then the item is refused', () => {
    expect(problemsOf({ ...loadDefaultProtocol(), monitoring: { systemQueryDeviations: ['late-lunch'] } })).toEqual([expect.stringMatching(/^monitoring\.systemQueryDeviations\[0\]: must be one of/)]);
  });

  it('given the seed protocol, when validated, then its edit checks include the assessment schedule deviations (a site is asked about each)', () => {
    const seed = loadDefaultProtocol();
    expect(protocolProblems(seed)).toEqual([]);
    expect(systemQueryDeviations(seed)).toEqual(expect.arrayContaining(['assessment-method-changed', 'assessment-out-of-window', 'missed-assessment']));
  });

  it('given a protocol written before queries existed, when read, then every detected deviation opens a system query', () => {
    const { monitoring: _monitoring, ...old } = loadDefaultProtocol();
    expect(protocolProblems(old)).toEqual([]);
    expect(systemQueryDeviations(old)).toContain('missing-baseline-assessment');
    expect(systemQueryDeviations({ ...old, monitoring: { systemQueryDeviations: [] } })).toEqual([]);
  });
});
