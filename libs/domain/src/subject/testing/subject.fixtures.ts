import type {
  AssessEligibilityPayload,
  RecordDosePayload,
  RecordTumorAssessmentPayload,
  ScreenSubjectPayload,
  StudyCommand,
  SubjectCommand,
  SubjectPayloads,
} from '../../commands/command.types';
import { loadDefaultProtocol } from '../../protocol/protocol.validate';
import type { Actor, Role } from '../../shared/actor';
import type { CommandMetadata } from '../../shared/decider';

/** Test data for the LANR-HGNET-01 deciders: one eligible hindgut NET subject and the people around it. */
export const STUDY_ID = 'LANR-HGNET-01';

export const actor = (role: Role, name = role): Actor => ({ userId: `u-${name}`, username: name, fullName: `${name[0].toUpperCase()}${name.slice(1)} Tester`, role });
export const ADMIN = actor('admin');
export const INVESTIGATOR = actor('investigator');
export const COORDINATOR = actor('coordinator');
export const MONITOR = actor('monitor');

export const NOW = '2026-06-30T12:00:00.000Z';
export const meta = (who: Actor = INVESTIGATOR, now = NOW): CommandMetadata => ({ actor: who, now, reason: null });

export const screening = (over: Partial<ScreenSubjectPayload> = {}): ScreenSubjectPayload => ({
  screeningDate: '2026-01-02',
  consentDate: '2026-01-02',
  sex: 'F',
  birthYear: 1960,
  ...over,
});

export const eligibility = (over: Partial<AssessEligibilityPayload> = {}): AssessEligibilityPayload => ({
  assessmentDate: '2026-01-03',
  age: 65,
  primarySite: 'rectum',
  whoGrade: 2,
  ki67Percent: 5,
  diseaseStatus: 'metastatic',
  measurableDisease: true,
  priorSystemicTherapy: false,
  ecog: 1,
  ...over,
});

export const ENROLLMENT_DATE = '2026-01-05';

export const dose = (cycle: number, administeredOn: string, over: Partial<RecordDosePayload> = {}): RecordDosePayload => ({
  cycle,
  administeredOn,
  doseMg: 120,
  route: 'deep-sc',
  lotNumber: 'LOT-1',
  injectionSite: 'left buttock',
  ...over,
});

export const baselineAssessment = (over: Partial<RecordTumorAssessmentPayload> = {}): RecordTumorAssessmentPayload => ({
  assessmentDate: '2026-01-04',
  modality: 'CT',
  baseline: true,
  targetLesions: [
    { lesionId: 'L1', organ: 'liver', diameterMm: 30, nodal: false },
    { lesionId: 'L2', organ: 'liver', diameterMm: 20, nodal: false },
  ],
  nonTargetStatus: 'present',
  newLesions: false,
  ...over,
});

export const followUp = (assessmentDate: string, l1: number | null, l2: number | null, over: Partial<RecordTumorAssessmentPayload> = {}): RecordTumorAssessmentPayload => ({
  assessmentDate,
  modality: 'CT',
  baseline: false,
  targetLesions: [
    { lesionId: 'L1', organ: 'liver', diameterMm: l1, nodal: false },
    { lesionId: 'L2', organ: 'liver', diameterMm: l2, nodal: false },
  ],
  nonTargetStatus: 'present',
  newLesions: false,
  ...over,
});

export const subjectCommand = <K extends keyof SubjectPayloads>(type: K, payload: SubjectPayloads[K], subjectId = 'S001'): SubjectCommand =>
  ({ type, studyId: STUDY_ID, subjectId, payload }) as SubjectCommand;

export const registerStudy = (): StudyCommand => ({ type: 'RegisterStudy', studyId: STUDY_ID, payload: { protocol: loadDefaultProtocol() } });
