import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadDefaultProtocol } from '../../protocol/protocol.validate';
import { baselineAssessment, eligibility, screening, STUDY_ID } from '../testing/subject.fixtures';
import { emptyFacts, type SubjectFacts } from '../subject.state';
import { decideClinical } from './clinical.decision';
import type { ClinicalCommand, DecisionContext } from './decision.types';

/**
 * The precision rules (`VALIDATION.PRECISION`, `RECIST.DIAMETER_PRECISION`) are skipped only for a
 * decision whose context says it re-checks an entry already recorded (`precision: 'recorded'`): an
 * explicit option of that one call, not a mode the module is in.
 */
describe("precision: 'recorded' in the decision context", () => {
  const ctx: DecisionContext = { studyId: STUDY_ID, subjectId: 'S001', protocol: loadDefaultProtocol(), today: '2026-06-30', subjectNumber: 1, ruleOf: () => loadDefaultProtocol().treatment };
  const recorded: DecisionContext = { ...ctx, precision: 'recorded' };
  const screened: SubjectFacts = { ...emptyFacts(), screening: { ...screening(), studyId: STUDY_ID, subjectId: 'S001' } };
  const assessed: SubjectFacts = { ...screened, eligibility: { ...eligibility(), eventId: 'e-2', failedCriteria: [] } };
  const fineKi67: ClinicalCommand = { type: 'AssessEligibility', payload: eligibility({ ki67Percent: 2.345 }) };
  const fineDiameter: ClinicalCommand = {
    type: 'RecordTumorAssessment',
    payload: baselineAssessment({ targetLesions: [{ lesionId: 'L1', organ: 'liver', diameterMm: 30.0000000001, nodal: false }] }),
  };

  it('given no option, a value finer than its field allows is refused', () => {
    expect(() => decideClinical(fineKi67, screened, ctx)).toThrow(expect.objectContaining({ code: 'VALIDATION.PRECISION' }));
    expect(() => decideClinical(fineDiameter, assessed, ctx)).toThrow(expect.objectContaining({ code: 'RECIST.DIAMETER_PRECISION' }));
  });

  it("given precision: 'recorded', the same values are decided (clinical rules still apply)", () => {
    expect(decideClinical(fineKi67, screened, recorded)).toMatchObject([{ type: 'EligibilityConfirmed', data: { ki67Percent: 2.345 } }]);
    expect(decideClinical(fineDiameter, assessed, recorded)).toMatchObject([{ type: 'TumorAssessmentRecorded', data: { sumOfDiametersMm: 30 } }]);
    expect(() => decideClinical(fineKi67, emptyFacts(), recorded)).toThrow(expect.objectContaining({ code: 'SUBJECT.NOT_FOUND' }));
  });

  it('the option belongs to the call: a check without it, made while another call with it is under way, still applies the rule', () => {
    let inner: unknown = null;
    const interleaved = (): void => {
      try {
        decideClinical(fineKi67, screened, ctx);
      } catch (error) {
        inner = error;
      }
    };
    const facts = new Proxy(screened, {
      get: (target, key, receiver) => {
        if (key === 'eligibility' && inner === null) interleaved();
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    expect(decideClinical(fineKi67, facts, recorded)).toMatchObject([{ type: 'EligibilityConfirmed' }]);
    expect(inner).toMatchObject({ code: 'VALIDATION.PRECISION' });
  });

  it('payload.validate keeps no module-level state (no top-level let)', () => {
    expect(readFileSync(resolve(__dirname, '../payload.validate.ts'), 'utf8')).not.toMatch(/^let /m);
  });
});
