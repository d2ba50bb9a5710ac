import { testing } from '@trial-ledger/projections';
import type { StudyPfs } from './analyse-pfs';
import { adtteDefineMarkdown } from './adtte.export';

/** A study's PFS under a protocol whose assessment schedule was amended (every 56 days ± 5, 180-day horizon). */
const amendedStudy = (): StudyPfs => {
  const protocol = testing.seedProtocol();
  return {
    studyId: protocol.studyId,
    protocol: {
      ...protocol,
      version: 2,
      assessments: { ...protocol.assessments, intervalDays: 56, windowDays: 5 },
      endpoint: { ...protocol.endpoint, horizonDays: 180 },
    },
    cutoff: null,
    asOf: { position: 42, asKnownAt: null },
    subjects: [],
  };
};

describe('ADTTE data dictionary (FILE.define.md)', () => {
  it('given an amended assessment schedule, then the censoring rules name the threshold the rows were derived with, not 175 days', () => {
    // when
    const define = adtteDefineMarkdown(amendedStudy(), 'adtte.csv');
    // then: 2 × 56 + 5 = 117 days, in the header and in the CNSR 0 and CNSR 3 rules alike
    const rules = define.slice(define.indexOf('## Censoring codes'));
    expect(rules).not.toContain('175');
    expect(rules).not.toContain('84');
    expect(rules).toMatch(/\n\| 0 \| [^\n]*within 117 days \(2 × 56 \+ 5\)/);
    expect(rules).toMatch(/\n\| 3 \| [^\n]*more than 117 days \(2 × 56 \+ 5/);
    expect(rules).toMatch(/\n\| 4 \| [^\n]*day 180/);
  });

  it('given the seed protocol, then the rules read 175 days (2 × 84 + 7) and the 365-day horizon', () => {
    const define = adtteDefineMarkdown({ ...amendedStudy(), protocol: testing.seedProtocol() }, 'adtte.csv');
    expect(define).toMatch(/\n\| 0 \| [^\n]*within 175 days \(2 × 84 \+ 7\)/);
    expect(define).toMatch(/\n\| 4 \| [^\n]*day 365/);
  });
});
