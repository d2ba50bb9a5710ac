import { compareDates, evaluateAssessments, type ProtocolDocument, type RecordTumorAssessmentPayload } from '@trial-ledger/domain';
import protocolJson from '../../domain/src/protocol/lanr-hgnet-01.protocol.json';
import { generateDemoScenario, type DemoStep } from './demo-scenario.generator';

const protocol = protocolJson as ProtocolDocument;
const TODAY = '2026-03-01';

/** Every ISO date anywhere in a payload (clinical dates must all lie before "today"). */
const datesIn = (value: unknown): string[] => {
  if (typeof value === 'string') return /^\d{4}-\d{2}-\d{2}$/.test(value) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(datesIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(datesIn);
  return [];
};

const ofType = (steps: readonly DemoStep[], type: string): DemoStep[] => steps.filter((s) => s.command.type === type);

describe('generateDemoScenario', () => {
  const scenario = generateDemoScenario({ seed: 42, today: TODAY, protocol });

  it('given the same seed and date, when generated twice, then the scripts are identical', () => {
    expect(generateDemoScenario({ seed: 42, today: TODAY, protocol })).toEqual(scenario);
    expect(generateDemoScenario({ seed: 43, today: TODAY, protocol }).steps).not.toEqual(scenario.steps);
  });

  it('screens 31, fails two at eligibility, enrolls 28 and expects the 29th enrollment to be refused', () => {
    expect(ofType(scenario.steps, 'ScreenSubject')).toHaveLength(31);
    expect(scenario.subjects.filter((s) => s.course === 'screen-failure')).toHaveLength(2);
    const enrollments = ofType(scenario.steps, 'EnrollSubject');
    expect(enrollments).toHaveLength(29);
    expect(enrollments.filter((s) => !s.expectedRefusal)).toHaveLength(28);
    expect(enrollments.at(-1)?.expectedRefusal).toBe('ENROLLMENT.CAP_REACHED');
  });

  it('puts every clinical date before today and the first enrollment about 20 months earlier', () => {
    const dates = scenario.steps.flatMap((s) => (s.command.type === 'RegisterStudy' ? [] : datesIn(s.command.payload)));
    expect(dates.every((d) => compareDates(d, TODAY) < 0)).toBe(true);
    const first = scenario.subjects.map((s) => s.enrollmentDate).filter((d): d is string => d !== null).sort()[0];
    expect(first >= '2024-06-01' && first <= '2024-08-31').toBe(true);
  });

  it('keeps recording days in order and every idempotency key unique', () => {
    const days = scenario.steps.map((s) => s.recordedOn);
    expect([...days].sort()).toEqual(days);
    expect(new Set(scenario.steps.map((s) => s.idempotencyKey)).size).toBe(scenario.steps.length);
  });

  it('names only earlier entries as the targets of corrections and voids', () => {
    const seen = new Set<string>();
    for (const step of scenario.steps) {
      if (step.command.type === 'CorrectEntry' || step.command.type === 'VoidEntry') {
        expect(seen.has(step.command.payload.targetIdempotencyKey ?? '')).toBe(true);
      }
      seen.add(step.idempotencyKey);
    }
    expect(ofType(scenario.steps, 'CorrectEntry')).toHaveLength(3);
    expect(ofType(scenario.steps, 'VoidEntry')).toHaveLength(1);
  });

  it.each([1, 2, 3, 42, 1234, 99999])('draws tumour measurements whose RECIST 1.1 responses match each subject course (seed %i)', (seed) => {
    const scenario = generateDemoScenario({ seed, today: TODAY, protocol });
    for (const subject of scenario.subjects) {
      const assessments = scenario.steps
        .filter((s) => s.command.type === 'RecordTumorAssessment' && 'subjectId' in s.command && s.command.subjectId === subject.subjectId)
        .map((s) => s.command.payload as RecordTumorAssessmentPayload);
      if (assessments.length === 0) continue;
      const responses = evaluateAssessments(assessments).slice(1).map((e) => e.overallResponse);
      const last = responses.at(-1);
      switch (subject.course) {
        case 'radiological-progression':
        case 'new-lesion':
        case 'new-therapy':
        case 'missed-assessments':
          expect({ subject: subject.subjectId, responses: responses.slice(0, -1).includes('PD'), last }).toEqual({ subject: subject.subjectId, responses: false, last: 'PD' });
          break;
        default:
          expect({ subject: subject.subjectId, pd: responses.includes('PD') }).toEqual({ subject: subject.subjectId, pd: false });
      }
      if (subject.course === 'responder') expect(responses).toContain('PR');
    }
  });

  it('plans off-window doses, a missed dose and a wrong dose for the deviation detector', () => {
    const doses = ofType(scenario.steps, 'RecordDose');
    expect(doses.length).toBeGreaterThan(250);
    expect(doses.filter((s) => (s.command.payload as { doseMg: number }).doseMg !== 120)).toHaveLength(1);
    expect(ofType(scenario.steps, 'RecordMissedDose')).toHaveLength(1);
    expect(ofType(scenario.steps, 'RecordDeath')).toHaveLength(1);
    expect(ofType(scenario.steps, 'WithdrawSubject')).toHaveLength(1);
    expect(ofType(scenario.steps, 'RecordNewAnticancerTherapy')).toHaveLength(1);
    expect(ofType(scenario.steps, 'RecordClinicalProgression')).toHaveLength(1);
  });
});
