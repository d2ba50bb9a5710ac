import {
  addDays,
  compareDates,
  daysBetween,
  type AssessEligibilityPayload,
  type IsoDate,
  type NonTargetStatus,
  type ProtocolDocument,
  type StudyCommand,
  type SubjectCommand,
  type SubjectCommandType,
  type SubjectPayloads,
  type TargetLesionInput,
} from '@trial-ledger/domain';
import { createRng, type Rng } from './demo-random';

/** The roles that issue commands in the demo (monitors and regulators only read). */
export type DemoRole = 'admin' | 'investigator' | 'coordinator';

export type DemoCommand = SubjectCommand | StudyCommand;

/** One command of the scripted study, in the order a site would have entered it. */
export interface DemoStep {
  /** The business day the entry is made: orders the script only (the server stamps `recordedAt`). */
  readonly recordedOn: IsoDate;
  readonly as: DemoRole;
  readonly command: DemoCommand;
  readonly idempotencyKey: string;
  /** The refusal the script expects (the 29th enrollment: `ENROLLMENT.CAP_REACHED`). */
  readonly expectedRefusal?: string;
}

/**
 * How a subject's disease and participation unfold. The mix gives the PFS analysis every path of
 * SPEC §3: RECIST PD events, a clinical progression, a death without progression, and censoring for
 * a withdrawal, a new anticancer therapy and two missed assessments before PD.
 */
export type SubjectCourse =
  | 'responder'
  | 'stable'
  | 'radiological-progression'
  | 'new-lesion'
  | 'clinical-progression'
  | 'death'
  | 'withdrawal'
  | 'new-therapy'
  | 'missed-assessments';

export interface DemoSubjectPlan {
  readonly subjectId: string;
  /** What happens to the subject; screen failures and the subject over the cap are never enrolled. */
  readonly course: SubjectCourse | 'screen-failure' | 'refused-over-cap';
  readonly screeningDate: IsoDate;
  readonly enrollmentDate: IsoDate | null;
}

export interface DemoScenario {
  readonly seed: string;
  readonly today: IsoDate;
  readonly studyId: string;
  readonly subjects: readonly DemoSubjectPlan[];
  readonly steps: readonly DemoStep[];
}

export interface DemoScenarioOptions {
  readonly seed: string | number;
  /** The date the study is seen from; every clinical date lies before it. */
  readonly today: IsoDate;
  readonly protocol: ProtocolDocument;
}

/** The 28 enrolled courses; shuffled over the enrollment slots by the seed. 11 PFS events by design. */
const COURSE_MIX: readonly SubjectCourse[] = [
  ...Array<SubjectCourse>(4).fill('responder'),
  ...Array<SubjectCourse>(10).fill('stable'),
  ...Array<SubjectCourse>(8).fill('radiological-progression'),
  'new-lesion',
  'clinical-progression',
  'death',
  'withdrawal',
  'new-therapy',
  'missed-assessments',
];

/** Enrollment opens about 20 months before "today", so a year of follow-up per subject lies in the past. */
const FIRST_SCREENING_DAYS_BEFORE_TODAY = 620;
const SCREENING_PERIOD_DAYS = 200;
const HINDGUT_SITES = ['rectum', 'rectum', 'sigmoid-colon', 'descending-colon', 'distal-transverse-colon'] as const;
const INJECTION_SITES = ['left upper outer buttock', 'right upper outer buttock'] as const;
/** Lanreotide's common adverse reactions (EU SmPC), with the grades and relatedness usually seen. */
const AE_CATALOG = [
  { term: 'Diarrhoea', grades: [1, 1, 2], relatedness: 'probably-related' },
  { term: 'Abdominal pain', grades: [1, 2], relatedness: 'possibly-related' },
  { term: 'Injection site pain', grades: [1], relatedness: 'definitely-related' },
  { term: 'Cholelithiasis', grades: [1, 2], relatedness: 'probably-related' },
  { term: 'Hyperglycaemia', grades: [1, 2], relatedness: 'possibly-related' },
  { term: 'Fatigue', grades: [1], relatedness: 'possibly-related' },
  { term: 'Nausea', grades: [1], relatedness: 'possibly-related' },
  { term: 'Bradycardia', grades: [1], relatedness: 'unlikely-related' },
] as const;

const ORGANS = [
  { organ: 'liver', nodal: false, min: 14, max: 55 },
  { organ: 'lymph node', nodal: true, min: 15, max: 28 },
  { organ: 'lung', nodal: false, min: 10, max: 24 },
  { organ: 'peritoneum', nodal: false, min: 12, max: 34 },
] as const;

const round1 = (value: number): number => Math.round(value * 10) / 10;
const maxDate = (a: IsoDate, b: IsoDate): IsoDate => (compareDates(a, b) >= 0 ? a : b);
const subjectIdOf = (index: number): string => `S${String(index + 1).padStart(3, '0')}`;

interface Entry {
  readonly date: IsoDate;
  /** Entry delay after the clinical date (e.g. the radiology read before an assessment is entered). */
  readonly delayDays: number;
  readonly as: DemoRole;
  readonly command: DemoCommand;
  readonly key: string;
  readonly expectedRefusal?: string;
}

/** Collects one subject's entries and turns them into steps whose recording days never go backwards. */
class SubjectScript {
  private readonly entries: Entry[] = [];
  constructor(
    readonly studyId: string,
    readonly subjectId: string,
  ) {}

  key(label: string): string {
    return `demo:${this.studyId}:${this.subjectId}:${label}`;
  }

  add<K extends SubjectCommandType>(as: DemoRole, type: K, payload: SubjectPayloads[K], date: IsoDate, label: string, extra: { delayDays?: number; expectedRefusal?: string } = {}): string {
    const key = this.key(label);
    const command = { type, studyId: this.studyId, subjectId: this.subjectId, payload } as SubjectCommand;
    this.entries.push({ date, delayDays: extra.delayDays ?? 0, as, command, key, expectedRefusal: extra.expectedRefusal });
    return key;
  }

  steps(): DemoStep[] {
    let cursor: IsoDate | null = null;
    // Stable sort by clinical date keeps the order entries were added in for the same day.
    const ordered = this.entries.map((entry, index) => ({ entry, index })).sort((a, b) => compareDates(a.entry.date, b.entry.date) || a.index - b.index);
    return ordered.map(({ entry }) => {
      const due = addDays(entry.date, entry.delayDays);
      cursor = cursor === null ? due : maxDate(cursor, due);
      return { recordedOn: cursor, as: entry.as, command: entry.command, idempotencyKey: entry.key, ...(entry.expectedRefusal ? { expectedRefusal: entry.expectedRefusal } : {}) };
    });
  }
}

interface Specials {
  offWindow: Set<string>;
  missedDose: Set<string>;
  wrongDose: Set<string>;
  missedAssessment: Set<string>;
  lotTypo: string;
  gradeCorrection: string;
  modalityCorrection: string;
  duplicateAe: string;
}

/**
 * The demo study (SPEC §6 `demo`): 31 subjects screened, two screen failures, 28 enrolled over about
 * six months, a 29th enrollment that the cap refuses, then a year of dosing every 28 days, RECIST 1.1
 * imaging every 84 days, adverse events, deviations, corrections with reasons and a void. A pure
 * function of the seed and `today`.
 */
export const generateDemoScenario = (options: DemoScenarioOptions): DemoScenario => {
  const { protocol, today } = options;
  const seed = String(options.seed);
  const rng = createRng(seed);
  const studyId = protocol.studyId;
  const cap = protocol.targetEnrollment;
  const screenedCount = cap + 3;
  const firstScreening = addDays(today, -FIRST_SCREENING_DAYS_BEFORE_TODAY);

  // Two screen failures somewhere in the middle; the last subject screened is the one over the cap.
  const failureSlots = rng.shuffle(Array.from({ length: screenedCount - 3 }, (_, i) => i + 1)).slice(0, 2).sort((a, b) => a - b);
  const courses = rng.shuffle(COURSE_MIX.slice(0, cap));
  const longCourseIds: string[] = [];
  const enrolled: Array<{ subjectId: string; course: SubjectCourse }> = [];
  for (let slot = 0, c = 0; slot < screenedCount - 1; slot += 1) {
    if (failureSlots.includes(slot)) continue;
    const course = courses[c] ?? 'stable';
    c += 1;
    enrolled.push({ subjectId: subjectIdOf(slot), course });
    if (course === 'stable' || course === 'responder') longCourseIds.push(subjectIdOf(slot));
  }
  const specials = chooseSpecials(rng, longCourseIds, enrolled.filter((s) => s.course === 'stable').map((s) => s.subjectId));

  const subjects: DemoSubjectPlan[] = [];
  const scripts: SubjectScript[] = [];
  let lastEnrollment = firstScreening;
  for (let slot = 0; slot < screenedCount; slot += 1) {
    const subjectId = subjectIdOf(slot);
    const script = new SubjectScript(studyId, subjectId);
    scripts.push(script);
    const screeningDate = addDays(firstScreening, Math.round((slot * SCREENING_PERIOD_DAYS) / (screenedCount - 1)) + rng.int(0, 2));
    const age = rng.int(38, 81);
    script.add('coordinator', 'ScreenSubject', {
      screeningDate,
      consentDate: addDays(screeningDate, -rng.int(0, 3)),
      sex: rng.pick(['F', 'M'] as const),
      birthYear: Number(screeningDate.slice(0, 4)) - age - rng.int(0, 1),
    }, screeningDate, 'screen');
    const eligibility = eligibleProfile(rng, age);

    const failureIndex = failureSlots.indexOf(slot);
    if (failureIndex >= 0) {
      // A midgut primary (outside the hindgut gap the study addresses) and a grade 3 tumour.
      const failing: AssessEligibilityPayload =
        failureIndex === 0 ? { ...eligibility, primarySite: 'ileum' } : { ...eligibility, whoGrade: 3, ki67Percent: 24.5 };
      script.add('investigator', 'AssessEligibility', { ...failing, assessmentDate: addDays(screeningDate, rng.int(5, 10)) }, addDays(screeningDate, 5), 'eligibility');
      subjects.push({ subjectId, course: 'screen-failure', screeningDate, enrollmentDate: null });
      continue;
    }

    const overCap = slot === screenedCount - 1;
    let enrollmentDate = addDays(screeningDate, rng.int(10, 20));
    if (overCap) enrollmentDate = addDays(maxDate(lastEnrollment, enrollmentDate), rng.int(3, 6));
    lastEnrollment = maxDate(lastEnrollment, enrollmentDate);
    const assessmentDate = addDays(enrollmentDate, -rng.int(1, 3));
    script.add('investigator', 'AssessEligibility', { ...eligibility, assessmentDate }, assessmentDate, 'eligibility');
    if (overCap) {
      script.add('investigator', 'EnrollSubject', { enrollmentDate }, enrollmentDate, 'enroll', { expectedRefusal: 'ENROLLMENT.CAP_REACHED' });
      subjects.push({ subjectId, course: 'refused-over-cap', screeningDate, enrollmentDate: null });
      continue;
    }
    script.add('investigator', 'EnrollSubject', { enrollmentDate }, enrollmentDate, 'enroll');
    const course = enrolled.find((s) => s.subjectId === subjectId)?.course ?? 'stable';
    subjects.push({ subjectId, course, screeningDate, enrollmentDate });
    scriptTreatment(rng, script, { protocol, course, screeningDate, enrollmentDate, specials });
  }

  const register: DemoStep = {
    recordedOn: addDays(firstScreening, -30),
    as: 'admin',
    command: { type: 'RegisterStudy', studyId, payload: { protocol } },
    idempotencyKey: `demo:${studyId}:register`,
  };
  const all = scripts.flatMap((script) => script.steps()).map((step, index) => ({ step, index }));
  all.sort((a, b) => compareDates(a.step.recordedOn, b.step.recordedOn) || a.index - b.index);
  return { seed, today, studyId, subjects, steps: [register, ...all.map((x) => x.step)] };
};

const chooseSpecials = (rng: Rng, longCourse: readonly string[], stable: readonly string[]): Specials => {
  const shuffled = rng.shuffle(longCourse);
  const stableShuffled = rng.shuffle(stable);
  const cycles = (id: string, from: number, to: number): string => `${id}#${rng.int(from, to)}`;
  return {
    offWindow: new Set(shuffled.slice(0, 4).map((id) => cycles(id, 3, 11))),
    missedDose: new Set([`${shuffled[4]}#6`]),
    wrongDose: new Set([`${shuffled[5]}#8`]),
    missedAssessment: new Set(stableShuffled.slice(0, 2).map((id) => `${id}#3`)),
    lotTypo: `${shuffled[6]}#4`,
    gradeCorrection: shuffled[7],
    modalityCorrection: stableShuffled[2],
    duplicateAe: shuffled[8],
  };
};

/** An eligible candidate's findings; `assessmentDate` is set by the caller. */
const eligibleProfile = (rng: Rng, age: number): AssessEligibilityPayload => {
  const whoGrade = rng.chance(0.55) ? 1 : 2;
  return {
    assessmentDate: '1970-01-01',
    age,
    primarySite: rng.pick(HINDGUT_SITES),
    whoGrade,
    // WHO 2019: grade 1 is Ki-67 < 3 %, grade 2 is 3–20 %.
    ki67Percent: whoGrade === 1 ? round1(rng.real(0.5, 2.9)) : round1(rng.real(3, 15)),
    diseaseStatus: rng.chance(0.8) ? 'metastatic' : 'recurrent',
    measurableDisease: true,
    priorSystemicTherapy: false,
    ecog: rng.pick([0, 0, 0, 1, 1, 2]),
  };
};

/** Baseline target lesions: a liver metastasis always (hindgut NETs spread there first), then 0–3 more. */
const baselineLesions = (rng: Rng): TargetLesionInput[] => {
  const count = rng.int(1, 4);
  const lesions: TargetLesionInput[] = [];
  const perOrgan = new Map<string, number>();
  for (let i = 0; lesions.length < count && i < 20; i += 1) {
    const spec = i === 0 ? ORGANS[0] : rng.pick(ORGANS);
    const used = perOrgan.get(spec.organ) ?? 0;
    if (used >= 2) continue;
    perOrgan.set(spec.organ, used + 1);
    lesions.push({ lesionId: `T${lesions.length + 1}`, organ: spec.organ, diameterMm: round1(rng.real(spec.min, spec.max)), nodal: spec.nodal });
  }
  // A baseline SOD of at least 30 mm keeps the 5 mm absolute PD rule from hinging on rounding.
  const sod = lesions.reduce((sum, l) => sum + (l.diameterMm ?? 0), 0);
  if (sod < 30) lesions[0] = { ...lesions[0], diameterMm: round1((lesions[0].diameterMm ?? 0) + 30 - sod) };
  return lesions;
};

interface TreatmentContext {
  readonly protocol: ProtocolDocument;
  readonly course: SubjectCourse;
  readonly screeningDate: IsoDate;
  readonly enrollmentDate: IsoDate;
  readonly specials: Specials;
}

interface PlannedAssessment {
  readonly k: number;
  readonly date: IsoDate;
  readonly factor: number;
  readonly newLesions: boolean;
}

const scriptTreatment = (rng: Rng, script: SubjectScript, context: TreatmentContext): void => {
  const { protocol, course, enrollmentDate: start, specials } = context;
  const id = script.subjectId;
  const { intervalDays: doseInterval, windowDays: doseWindow, doseMg, route } = protocol.treatment;
  const { intervalDays: imagingInterval, windowDays: imagingWindow } = protocol.assessments;
  const horizon = protocol.endpoint.horizonDays;
  const modality = rng.chance(0.75) ? 'CT' : 'MRI';
  const nonTarget: NonTargetStatus = rng.chance(0.6) ? 'present' : 'absent';
  const lesions = baselineLesions(rng);

  // Baseline imaging after screening, within the protocol's window before enrollment; entered after enrollment.
  const baselineDate = addDays(context.screeningDate, rng.int(1, 5));
  script.add('coordinator', 'RecordTumorAssessment', { assessmentDate: baselineDate, modality, baseline: true, targetLesions: lesions, nonTargetStatus: nonTarget, newLesions: false }, start, 'assessment-0');

  // The course fixes when treatment stops and what the imaging shows.
  const progressionAt = course === 'radiological-progression' ? rng.int(1, 4) : course === 'new-lesion' ? rng.int(2, 3) : course === 'new-therapy' ? 3 : course === 'missed-assessments' ? 4 : null;
  const scheduled = Array.from({ length: Math.floor((horizon - imagingWindow) / imagingInterval) }, (_, i) => i + 1).map((k) => ({
    k,
    date: addDays(start, k * imagingInterval + rng.int(-(imagingWindow - 2), imagingWindow - 2)),
  }));
  // The end-of-study imaging at month 12, on the last day of the PFS horizon (study day 365), so that the
  // 12-month PFS rate is estimable for subjects followed that long.
  scheduled.push({ k: scheduled.length + 1, date: addDays(start, horizon - 1) });
  let walk = 1;
  let lowest = 1;
  const assessments: PlannedAssessment[] = [];
  for (const { k, date } of scheduled) {
    if (progressionAt !== null && k > progressionAt) break;
    if (course === 'missed-assessments' && (k === 2 || k === 3)) continue;
    if (specials.missedAssessment.has(`${id}#${k}`)) continue;
    let factor: number;
    if (course === 'responder') factor = [0.78, 0.64, 0.58, 0.56, 0.55][k - 1] ?? 0.55;
    else if (k === progressionAt && course !== 'new-lesion') factor = lowest * rng.real(1.32, 1.5);
    else factor = walk = Math.min(1.05, Math.max(0.94, walk + rng.real(-0.04, 0.04)));
    lowest = Math.min(lowest, factor);
    assessments.push({ k, date, factor, newLesions: course === 'new-lesion' && k === progressionAt });
  }

  // The day treatment ends (no dose on or after it) and the entries that end it.
  let stopOn: IsoDate = addDays(start, horizon + 1);
  const progression = progressionAt !== null ? assessments.find((a) => a.k === progressionAt) : undefined;
  if (course === 'clinical-progression') {
    const date = addDays(start, rng.int(100, 150));
    script.add('investigator', 'RecordClinicalProgression', { progressionDate: date, basis: 'Symptomatic deterioration: subacute bowel obstruction with ECOG 3, without imaging confirmation' }, date, 'clinical-progression', { delayDays: 1 });
    script.add('investigator', 'DiscontinueTreatment', { discontinuationDate: addDays(date, 2), reason: 'clinical progression' }, addDays(date, 2), 'discontinue');
    stopOn = date;
  } else if (course === 'death') {
    const date = addDays(start, rng.int(170, 230));
    script.add('coordinator', 'ReportAdverseEvent', { term: 'Myocardial infarction', onsetDate: date, ctcaeGrade: 5, serious: true, relatedness: 'not-related' }, date, 'ae-fatal', { delayDays: 2 });
    script.add('investigator', 'RecordDeath', { deathDate: date, cause: 'Acute myocardial infarction' }, date, 'death', { delayDays: 2 });
    script.add('coordinator', 'RecordAdverseEventOutcome', { adverseEventIdempotencyKey: script.key('ae-fatal'), outcome: 'fatal', endDate: date }, date, 'ae-fatal-outcome', { delayDays: 3 });
    stopOn = date;
  } else if (course === 'withdrawal') {
    const date = addDays(start, rng.int(120, 170));
    script.add('coordinator', 'WithdrawSubject', { withdrawalDate: date, reason: 'consent-withdrawn' }, date, 'withdraw', { delayDays: 1 });
    stopOn = date;
  } else if (course === 'new-therapy') {
    const date = addDays(start, rng.int(190, 215));
    const therapyStart = addDays(date, rng.int(5, 10));
    script.add('investigator', 'DiscontinueTreatment', { discontinuationDate: date, reason: 'investigator decision: rising chromogranin A with worsening flushing' }, date, 'discontinue');
    script.add('coordinator', 'RecordNewAnticancerTherapy', { startDate: therapyStart, therapy: 'everolimus 10 mg once daily' }, therapyStart, 'new-therapy', { delayDays: 1 });
    stopOn = date;
  } else if (progression) {
    script.add('investigator', 'DiscontinueTreatment', { discontinuationDate: addDays(progression.date, 3), reason: 'progressive disease (RECIST 1.1)' }, addDays(progression.date, 3), 'discontinue', { delayDays: 1 });
    stopOn = progression.date;
  }

  for (const a of assessments) {
    if (compareDates(a.date, stopOn) > 0 && course !== 'new-therapy') break;
    const targetLesions = lesions.map((l) => ({ ...l, diameterMm: round1((l.diameterMm ?? 0) * a.factor * rng.real(0.98, 1.02)) }));
    const correctModality = specials.modalityCorrection === id && a.k === 1;
    const key = script.add('coordinator', 'RecordTumorAssessment', {
      assessmentDate: a.date,
      modality: correctModality ? (modality === 'CT' ? 'MRI' : 'CT') : modality,
      baseline: false,
      targetLesions,
      nonTargetStatus: nonTarget,
      newLesions: a.newLesions,
    }, a.date, `assessment-${a.k}`, { delayDays: rng.int(1, 4) });
    if (correctModality) {
      script.add('coordinator', 'CorrectEntry', { targetIdempotencyKey: key, changes: { modality }, reason: 'Modality corrected against the radiology report' }, addDays(a.date, 20), 'correct-modality');
    }
  }
  for (const k of [2, 3]) {
    if (course !== 'missed-assessments' && !specials.missedAssessment.has(`${id}#${k}`)) continue;
    const due = addDays(start, k * imagingInterval);
    if (compareDates(due, stopOn) >= 0) continue;
    const date = addDays(due, imagingWindow + 1);
    // The missed imaging itself is detected by the system (`missed-assessment`) once a later scan is on record;
    // the site records what only it knows: the rest of the visit not done.
    script.add('coordinator', 'RecordDeviation', { deviationDate: date, category: 'visit-not-attended', description: `Week ${(k * imagingInterval) / 7} visit not attended within the ±${imagingWindow}-day window: chromogranin A and ECOG performance status not assessed`, severity: 'minor' }, date, `deviation-imaging-${k}`);
  }

  // Dosing every 28 days ± the window; a few off-window doses, one missed and one wrong dose by plan.
  let cycle = 1;
  let date = addDays(start, rng.int(protocol.treatment.firstDose.fromDay, Math.min(3, protocol.treatment.firstDose.toDay)));
  while (compareDates(date, stopOn) < 0 && compareDates(date, addDays(start, horizon)) <= 0) {
    const tag = `${id}#${cycle}`;
    if (specials.missedDose.has(tag)) {
      script.add('coordinator', 'RecordMissedDose', { cycle, dueOn: date, reason: 'Subject hospitalised (biliary colic); injection not given' }, date, `dose-${cycle}-missed`, { delayDays: 3 });
    } else {
      const lot = lotNumber(date);
      const typo = specials.lotTypo === tag;
      const key = script.add('coordinator', 'RecordDose', {
        cycle,
        administeredOn: date,
        doseMg: specials.wrongDose.has(tag) ? 90 : doseMg,
        route,
        lotNumber: typo ? lot.replace('0', 'O') : lot,
        injectionSite: INJECTION_SITES[cycle % 2],
      }, date, `dose-${cycle}`);
      if (typo) {
        script.add('coordinator', 'CorrectEntry', { targetIdempotencyKey: key, changes: { lotNumber: lot }, reason: 'Transcription error: lot number corrected against the pharmacy dispensing log' }, addDays(date, rng.int(10, 25)), `correct-dose-${cycle}`);
      }
    }
    const drift = specials.offWindow.has(tag) ? rng.pick([-1, 1]) * (doseWindow + rng.int(2, 3)) : rng.int(-(doseWindow - 1), doseWindow - 1);
    date = addDays(date, doseInterval + drift);
    cycle += 1;
  }

  // Adverse events while on treatment.
  const aeCount = rng.int(0, 3) + (specials.gradeCorrection === id || specials.duplicateAe === id ? 1 : 0);
  const lastDay = Math.max(14, Math.min(horizon, daysBetween(start, stopOn)) - 1);
  for (let n = 1; n <= aeCount; n += 1) {
    const spec = rng.pick(AE_CATALOG);
    const onsetDate = addDays(start, rng.int(7, lastDay));
    const correctGrade = specials.gradeCorrection === id && n === 1;
    const payload = { term: spec.term, onsetDate, ctcaeGrade: correctGrade ? 1 : rng.pick(spec.grades), serious: false, relatedness: spec.relatedness };
    const key = script.add('coordinator', 'ReportAdverseEvent', payload, onsetDate, `ae-${n}`, { delayDays: rng.int(1, 7) });
    scriptAeOutcome(script, key, onsetDate, n, stopOn, `ae-${n}`);
    if (correctGrade) {
      script.add('coordinator', 'CorrectEntry', { targetIdempotencyKey: key, changes: { ctcaeGrade: 2 }, reason: 'Grade revised after source document verification (CTCAE v5.0: limiting instrumental ADL)' }, addDays(onsetDate, 21), `correct-ae-${n}`);
    }
    if (specials.duplicateAe === id && n === 1) {
      const duplicate = script.add('coordinator', 'ReportAdverseEvent', payload, onsetDate, `ae-${n}-again`, { delayDays: 9 });
      script.add('coordinator', 'VoidEntry', { targetIdempotencyKey: duplicate, reason: 'Entered in error: duplicate of an adverse event already reported' }, addDays(onsetDate, 30), `void-ae-${n}-again`);
    }
  }
  if (course === 'responder' || course === 'stable') {
    // One serious event in the study: symptomatic gallstones, a known somatostatin-analogue effect.
    if (specials.missedDose.has(`${id}#6`)) {
      const onset = addDays(start, 5 * doseInterval - 2);
      script.add('coordinator', 'ReportAdverseEvent', { term: 'Cholelithiasis', onsetDate: onset, ctcaeGrade: 3, serious: true, relatedness: 'probably-related' }, onset, 'ae-serious', { delayDays: 1 });
    }
  }
};

/**
 * The follow-up of an adverse event (CDISC SDTM AEOUT), by its rank in the subject's list: the first recovering a
 * week after onset, then recovered two weeks later; the second recovered after ten days; a third still not
 * recovered at two weeks. Dates stop at the end of participation (death, withdrawal, progression). No draw of the
 * generator: the rest of the study, and so every PFS figure, is the same as without outcomes.
 */
const scriptAeOutcome = (script: SubjectScript, aeKey: string, onsetDate: IsoDate, n: number, stopOn: IsoDate, label: string): void => {
  const on = (days: number): IsoDate => (compareDates(addDays(onsetDate, days), stopOn) <= 0 ? addDays(onsetDate, days) : stopOn);
  const outcome = (value: 'recovered' | 'recovering' | 'not-recovered', date: IsoDate, suffix: string): void => {
    const payload = { adverseEventIdempotencyKey: aeKey, outcome: value, ...(value === 'recovered' ? { endDate: date } : {}) };
    script.add('coordinator', 'RecordAdverseEventOutcome', payload, date, `${label}-${suffix}`, { delayDays: 2 });
  };
  if (n === 1) {
    outcome('recovering', on(7), 'recovering');
    outcome('recovered', on(21), 'recovered');
  } else if (n === 2) outcome('recovered', on(10), 'recovered');
  else outcome('not-recovered', on(14), 'not-recovered');
};

/** Lots are released quarterly: the lot number follows the dose date. */
const lotNumber = (date: IsoDate): string => `LAN${date.slice(2, 4)}0${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}7`;
