import { enrolledHistory, subjectSpec } from '../subject/testing/decider-spec';
import { baselineAssessment, COORDINATOR, dose, INVESTIGATOR, meta, subjectCommand } from '../subject/testing/subject.fixtures';
import { firstUnprintable, isBlankText, requirePrintable, UNPRINTABLE_TEXT_CODE, visibleLength } from './free-text';

describe('free text', () => {
  it.each([
    ['NUL', 'LOT\u0000042', 'U+0000'],
    ['ESC (a terminal escape sequence)', 'rash \u001b[2Kgrade 1', 'U+001B'],
    ['a lone carriage return (overwrites the line when printed)', 'headache\rnone', 'U+000D'],
    ['DEL', 'nausea\u007f', 'U+007F'],
    ['C1 CSI', 'fatigue\u009b', 'U+009B'],
    ['a right-to-left override (Trojan Source)', 'dose given \u202eevig ton', 'U+202E'],
    ['a first-strong isolate', 'wrong \u2068site', 'U+2068'],
    ['a lone high surrogate (written to UTF-8 or XML as U+FFFD)', 'rash \ud800 grade 1', 'U+D800'],
    ['a lone low surrogate', 'rash \udfff', 'U+DFFF'],
    ['the non-character U+FFFE (not allowed in XML)', 'lot \ufffe42', 'U+FFFE'],
    ['the non-character U+FFFF', 'lot 42\uffff', 'U+FFFF'],
  ])('refuses %s and names the character', (_what, value, character) => {
    expect(firstUnprintable(value)).toBe(character);
    expect(() => requirePrintable('term', value)).toThrow(expect.objectContaining({ code: UNPRINTABLE_TEXT_CODE, kind: 'validation', details: { field: 'term', character } }));
  });

  it.each([
    ['tabs and line breaks', 'Grade 2\tdiarrhoea\nresolved\r\nwithout treatment'],
    ['accents and other scripts', 'Éruption cutanée — 皮疹 — طفح'],
    ['a left-to-right mark (not an override)', 'abc\u200edef'],
    ['a character outside the Basic Multilingual Plane (a surrogate pair)', 'tumour 𝔗1 😀'],
  ])('keeps %s', (_what, value) => {
    expect(firstUnprintable(value)).toBeNull();
    expect(requirePrintable('term', value)).toBe(value);
  });
});

describe('free text in clinical commands (the same rule for the API, the CLI and imports)', () => {
  it('given S001 enrolled, when a dose carries an escape sequence in its lot number, then VALIDATION.UNPRINTABLE_CHARACTER naming the field', () =>
    subjectSpec
      .given(enrolledHistory().all())
      .when(subjectCommand('RecordDose', dose(1, '2026-01-06', { lotNumber: 'LOT\u001b]0;pwned\u0007' })), meta(COORDINATOR))
      .thenErrorWith(UNPRINTABLE_TEXT_CODE, { field: 'lotNumber', character: 'U+001B' }));
  it('given S001 enrolled, when an adverse event term hides a bidi override, then VALIDATION.UNPRINTABLE_CHARACTER', () =>
    subjectSpec
      .given(enrolledHistory().all())
      .when(subjectCommand('ReportAdverseEvent', { term: 'rash\u202e', onsetDate: '2026-01-07', ctcaeGrade: 1, serious: false, relatedness: 'possible' }), meta(INVESTIGATOR))
      .thenErrorWith(UNPRINTABLE_TEXT_CODE, { field: 'term' }));
  it('given S001 enrolled, when a follow-up lesion names its organ with a NUL, then VALIDATION.UNPRINTABLE_CHARACTER', () => {
    const scan = baselineAssessment();
    const lesions = scan.targetLesions.map((l, i) => (i === 0 ? { ...l, organ: 'liv\u0000er' } : l));
    subjectSpec
      .given(enrolledHistory().all())
      .when(subjectCommand('RecordTumorAssessment', { ...scan, assessmentDate: '2026-03-01', baseline: false, targetLesions: lesions }), meta(INVESTIGATOR))
      .thenErrorWith(UNPRINTABLE_TEXT_CODE, { field: 'organ' });
  });
  it('given S001 enrolled, when an adverse event term is nothing but zero-width characters, then VALIDATION.REQUIRED (it would read as blank)', () =>
    subjectSpec
      .given(enrolledHistory().all())
      .when(subjectCommand('ReportAdverseEvent', { term: '\u200b\u200b\u2060', onsetDate: '2026-01-07', ctcaeGrade: 1, serious: false, relatedness: 'possible' }), meta(INVESTIGATOR))
      .thenErrorWith('VALIDATION.REQUIRED', { field: 'term' }));
  it.each([
    ['the combining grapheme joiner', '\u034f\u034f'],
    ['variation selectors', '\ufe0f\ufe0e'],
    ['Khmer inherent vowels', '\u17b4\u17b5'],
    ['a Mongolian free variation selector', '\u180b'],
    ['supplementary variation selectors', '\u{E0100}\u{E01EF}'],
  ])('counts a text made only of %s (default-ignorable: printed as nothing) as blank, and none of them as a visible character', (_what, text) => {
    expect(isBlankText(text)).toBe(true);
    expect(visibleLength(`ok${text}`)).toBe(2);
  });
  it('given S001 enrolled, when an adverse event term is nothing but variation selectors, then VALIDATION.REQUIRED', () =>
    subjectSpec
      .given(enrolledHistory().all())
      .when(subjectCommand('ReportAdverseEvent', { term: '\ufe0f\u034f', onsetDate: '2026-01-07', ctcaeGrade: 1, serious: false, relatedness: 'possible' }), meta(INVESTIGATOR))
      .thenErrorWith('VALIDATION.REQUIRED', { field: 'term' }));
  it('keeps visible text with a variation selector (an emoji presentation) non-blank', () => {
    expect(isBlankText('\u2764\ufe0f')).toBe(false);
  });
  it('given S001 enrolled, when a multi-line deviation description is recorded, then it is kept as typed', () =>
    subjectSpec
      .given(enrolledHistory().all())
      .when(subjectCommand('RecordDeviation', { deviationDate: '2026-01-06', category: 'visit-window', description: 'Visit moved:\n\tpatient travelling', severity: 'minor' }), meta(COORDINATOR))
      .thenMatches({ subject: [{ type: 'ProtocolDeviationRecorded', data: { description: 'Visit moved:\n\tpatient travelling' } }] }));
});
