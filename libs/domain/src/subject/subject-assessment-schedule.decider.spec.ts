import { loadDefaultProtocol } from '../protocol/protocol.validate';
import type { StudyEvent } from '../events/event.types';
import { DomainError } from '../shared/domain-error';
import { enrolledHistory, History, subjectSpec } from './testing/decider-spec';
import { COORDINATOR, followUp, meta, STUDY_ID, subjectCommand } from './testing/subject.fixtures';

/**
 * The tumour assessment schedule (SPEC §1; RECIST 1.1 §3.2). The subject is enrolled on 2026-01-05 with a
 * CT baseline of 2026-01-04: visit 1 is due 2026-03-30 (day 84), window 03-23 (day 77) – 04-06 (day 91);
 * visit 2 is due 2026-06-22 (day 168), window 06-15 – 06-29; visit 3 is due 2026-09-14 (day 252).
 */
const SCHEDULE = ['assessment-method-changed', 'assessment-out-of-window', 'missed-assessment'];
const LATER = meta(COORDINATOR, '2026-12-31T12:00:00.000Z');
const assess = (date: string, over: Parameters<typeof followUp>[3] = {}) => subjectCommand('RecordTumorAssessment', followUp(date, 30, 20, over));
const correct = (targetEventId: string, changes: Record<string, unknown>) => subjectCommand('CorrectEntry', { targetEventId, changes, reason: 'transcription error' });
const voidEntry = (targetEventId: string) => subjectCommand('VoidEntry', { targetEventId, reason: 'entered in error' });

type Event = { type: string; data: unknown };
const scheduleDeviations = (events: readonly Event[]) =>
  events
    .filter((e) => e.type === 'ProtocolDeviationDetected' && SCHEDULE.includes((e.data as { category: string }).category))
    .map((e) => e.data as { category: string; deviationDate: string; description: string; severity: string; relatedEventId?: string });
const withdrawnIds = (events: readonly Event[]): string[] => events.filter((e) => e.type === 'EntryVoided').map((e) => (e.data as { targetEventId: string }).targetEventId);

/** The live schedule deviations of the casebook, as `category date`. */
const standing = (h: History): string[] =>
  h
    .state()
    .subject.facts.deviations.filter((d) => SCHEDULE.includes(d.category))
    .map((d) => `${d.category} ${d.date}`)
    .sort();

describe('assessment-out-of-window: a follow-up dated outside every scheduled window', () => {
  it.each([
    ['2026-03-23', 77],
    ['2026-03-30', 84],
    ['2026-04-06', 91],
  ])('given an enrolled subject, when a follow-up of %s (day %i) is recorded, then it is in visit 1\'s window: no schedule deviation', (date) => {
    const decision = subjectSpec.given(enrolledHistory().all()).when(assess(date)).result();
    expect(decision.subject.map((e) => e.type)).toEqual(['TumorAssessmentRecorded']);
  });

  it.each([
    ['2026-03-22', 76, '-8 days'],
    ['2026-04-07', 92, '+8 days'],
  ])('given an enrolled subject, when a follow-up of %s (day %i) is recorded, then a minor assessment-out-of-window names visit 1 and %s', (date, day, off) => {
    const decision = subjectSpec.given(enrolledHistory().all()).when(assess(date)).result();
    expect(decision.subject.map((e) => e.type)).toEqual(['TumorAssessmentRecorded', 'ProtocolDeviationDetected']);
    expect(scheduleDeviations(decision.subject)).toEqual([
      {
        deviationDate: date,
        category: 'assessment-out-of-window',
        severity: 'minor',
        description: `Follow-up tumour assessment of ${date} (day ${day} after enrollment on 2026-01-05) lies outside every scheduled window: nearest is visit 1, due 2026-03-30 (window 2026-03-23–2026-04-06), ${off}`,
      },
    ]);
  });

  it('given an enrolled subject, when a follow-up is dated before enrollment, then it is refused and nothing is written', () => {
    expect(() => subjectSpec.given(enrolledHistory().all()).when(assess('2026-01-04')).result()).toThrow(DomainError);
  });

  it('given a follow-up with PD on 2026-03-30, when a scan after progression (2026-05-01, day 116) is recorded, then it is not judged against the schedule', () => {
    const h = enrolledHistory().run(assess('2026-03-30', { newLesions: true }), meta(COORDINATOR));
    expect(h.state().subject.facts.assessments.at(-1)?.overallResponse).toBe('PD');
    const decision = subjectSpec.given(h.all()).when(assess('2026-05-01')).result();
    expect(scheduleDeviations(decision.subject)).toEqual([]);
  });

  it('given an enrolled subject, when an unscheduled scan before progression shows PD on day 60, then it is flagged (an early scan moves the PFS event date)', () => {
    const decision = subjectSpec.given(enrolledHistory().all()).when(assess('2026-03-06', { newLesions: true })).result();
    expect(scheduleDeviations(decision.subject).map((d) => d.category)).toEqual(['assessment-out-of-window']);
  });
});

describe('assessment-method-changed: RECIST 1.1 §3.2, the same method at baseline and follow-up', () => {
  it('given a CT baseline, when a follow-up is made by MRI, then a minor deviation names both methods and dates, related to nothing (it follows its scan)', () => {
    const decision = subjectSpec.given(enrolledHistory().all()).when(assess('2026-03-30', { modality: 'MRI' })).result();
    expect(scheduleDeviations(decision.subject)).toEqual([
      {
        deviationDate: '2026-03-30',
        category: 'assessment-method-changed',
        severity: 'minor',
        description: 'Follow-up tumour assessment of 2026-03-30 made by MRI, the baseline of 2026-01-04 by CT: RECIST 1.1 §3.2 asks for the same method at baseline and follow-up',
      },
    ]);
  });

  it('given a CT baseline, when a follow-up is made by CT, then nothing is detected', () => {
    const decision = subjectSpec.given(enrolledHistory().all()).when(assess('2026-03-30')).result();
    expect(scheduleDeviations(decision.subject)).toEqual([]);
  });

  it('given an MRI follow-up on record (deviation detected), when its modality is corrected to CT, then the deviation is withdrawn in the same append', () => {
    const h = enrolledHistory().run(assess('2026-03-30', { modality: 'MRI' }), meta(COORDINATOR));
    const decision = subjectSpec.given(h.all()).when(correct(h.idOf('TumorAssessmentRecorded', 2), { modality: 'CT' })).result();
    expect(withdrawnIds(decision.subject)).toEqual([h.idOf('ProtocolDeviationDetected')]);
    expect(scheduleDeviations(decision.subject)).toEqual([]);
  });

  it('given a CT follow-up on record, when the baseline\'s modality is corrected to MRI, then the follow-up gets the deviation, related to it', () => {
    const h = enrolledHistory().run(assess('2026-03-30'), meta(COORDINATOR));
    h.run(correct(h.idOf('TumorAssessmentRecorded', 1), { modality: 'MRI' }), meta(COORDINATOR));
    expect(standing(h)).toEqual(['assessment-method-changed 2026-03-30']);
    const deviation = h.state().subject.entries.find((e) => e.current.type === 'ProtocolDeviationDetected');
    expect((deviation?.current.data as { relatedEventId?: string }).relatedEventId).toBe(h.idOf('TumorAssessmentRecorded', 2));
  });

  it('given an MRI follow-up on record, when the baseline is voided, then the method deviation is withdrawn (no baseline to compare with)', () => {
    const h = enrolledHistory().run(assess('2026-03-30', { modality: 'MRI' }), meta(COORDINATOR));
    expect(standing(h)).toEqual(['assessment-method-changed 2026-03-30']);
    h.run(voidEntry(h.idOf('TumorAssessmentRecorded', 1)), meta(COORDINATOR));
    expect(standing(h)).toEqual([]);
  });
});

describe('missed-assessment: a scheduled visit whose window closed with no scan', () => {
  it('given no scan at visit 1, when the follow-up of visit 2 (2026-06-22) is recorded, then visit 1 is missed (major, dated its due date)', () => {
    const decision = subjectSpec.given(enrolledHistory().all()).when(assess('2026-06-22')).result();
    expect(scheduleDeviations(decision.subject)).toEqual([
      {
        deviationDate: '2026-03-30',
        category: 'missed-assessment',
        severity: 'major',
        description: 'Scheduled tumour assessment visit 1 (due 2026-03-30, window 2026-03-23–2026-04-06) missed: no scan on record in or near its window',
      },
    ]);
  });

  it('given visit 1 done 17 days late (2026-04-16), when visit 2 is recorded, then visit 1 is not missed: it was done late (out of window only)', () => {
    const h = enrolledHistory().run(assess('2026-04-16'), meta(COORDINATOR)).run(assess('2026-06-22'), meta(COORDINATOR));
    expect(standing(h)).toEqual(['assessment-out-of-window 2026-04-16']);
  });

  it('given a scan on day 130 (nearer visit 2), when visit 3 is recorded on time, then visit 1 is missed and visit 2 done early', () => {
    const h = enrolledHistory().run(assess('2026-05-15'), LATER).run(assess('2026-09-14'), LATER);
    expect(standing(h)).toEqual(['assessment-out-of-window 2026-05-15', 'missed-assessment 2026-03-30']);
  });

  it('given visit 2 recorded without visit 1 (visit 1 missed), when the visit 1 scan is entered late, then the missed visit is withdrawn in the same append', () => {
    const h = enrolledHistory().run(assess('2026-06-22'), meta(COORDINATOR));
    const decision = subjectSpec.given(h.all()).when(assess('2026-03-31')).result();
    expect(withdrawnIds(decision.subject)).toEqual([h.idOf('ProtocolDeviationDetected')]);
  });

  it('given a clinical progression on 2026-03-26 (visit 1 open), when a scan of 2026-07-01 is recorded, then no visit is missed and the scan is not judged', () => {
    const h = enrolledHistory().run(subjectCommand('RecordClinicalProgression', { progressionDate: '2026-03-26', basis: 'symptomatic carcinoid syndrome' }), meta(undefined, '2026-12-31T12:00:00.000Z'));
    const decision = subjectSpec.given(h.all()).when(assess('2026-07-01')).result();
    expect(scheduleDeviations(decision.subject)).toEqual([]);
  });

  it('given a scan on day 100 off its window (deviation on record), when a clinical progression of day 95 is entered late, then the scan, now after progression, has its deviation withdrawn in the same append', () => {
    const h = enrolledHistory().run(assess('2026-04-15'), meta(COORDINATOR));
    expect(standing(h)).toEqual(['assessment-out-of-window 2026-04-15']);
    const decision = subjectSpec.given(h.all()).when(subjectCommand('RecordClinicalProgression', { progressionDate: '2026-04-10', basis: 'symptomatic carcinoid syndrome' })).result();
    expect(decision.subject.map((e) => e.type)).toEqual(['ClinicalProgressionRecorded', 'EntryVoided']);
    expect(withdrawnIds(decision.subject)).toEqual([h.idOf('ProtocolDeviationDetected')]);
  });

  it('given visit 1 missed and visit 2 on record, when the enrollment date is corrected a month later (2026-02-01), then the windows move: the scan is visit 2 done early and visit 1, now due 04-26, is restated', () => {
    const h = enrolledHistory().run(assess('2026-06-22'), meta(COORDINATOR));
    expect(standing(h)).toEqual(['missed-assessment 2026-03-30']);
    h.run(correct(h.idOf('SubjectEnrolled'), { enrollmentDate: '2026-02-01' }));
    // Day 141 after 02-01: nearest visit 2 (due 07-19), 27 days early; visit 1 (due 04-26, closed 05-03) missed.
    expect(standing(h)).toEqual(['assessment-out-of-window 2026-06-22', 'missed-assessment 2026-04-26']);
  });

  it('given visit 1 missed, when the later scan is voided, then the missed visit is withdrawn (no scan after the window reveals it)', () => {
    const h = enrolledHistory().run(assess('2026-06-22'), meta(COORDINATOR));
    expect(standing(h)).toEqual(['missed-assessment 2026-03-30']);
    h.run(voidEntry(h.idOf('TumorAssessmentRecorded', 2)), meta(COORDINATOR));
    expect(standing(h)).toEqual([]);
  });
});

describe('the schedule of the protocol version the scan was recorded under', () => {
  const v1 = loadDefaultProtocol();
  const amended: StudyEvent = {
    type: 'ProtocolAmended',
    data: { studyId: STUDY_ID, version: 2, protocol: { ...v1, version: 2, assessments: { ...v1.assessments, windowDays: 14 } }, reason: 'Amendment 1: assessments ± 14 days' },
  };

  it('given the window amended to ± 14 days, when a scan on day 95 is recorded, then it is in window under v2', () => {
    const decision = subjectSpec.given(enrolledHistory().study(amended).all()).when(assess('2026-04-10')).result();
    expect(scheduleDeviations(decision.subject)).toEqual([]);
  });

  it('given a scan on day 95 recorded under v1 (out of window), when the window is amended and the scan\'s date corrected to day 96, then it is still judged by v1 (restated, not withdrawn for good)', () => {
    const h = enrolledHistory().run(assess('2026-04-10'), meta(COORDINATOR)).study(amended);
    h.run(correct(h.idOf('TumorAssessmentRecorded', 2), { assessmentDate: '2026-04-11' }), meta(COORDINATOR));
    expect(standing(h)).toEqual(['assessment-out-of-window 2026-04-11']);
  });
});

/**
 * The end of follow-up (the PFS horizon, `endpoint.horizonDays`) is a scheduled visit too: due at enrollment +
 * 365 days ± 7 under the seed protocol (2027-01-05, window 2026-12-29 – 2027-01-12), after visit 4 (day 336),
 * numbered visit 5. No visit is due after it.
 */
describe('the end-of-follow-up visit: enrollment + endpoint.horizonDays ± windowDays', () => {
  const END = meta(COORDINATOR, '2027-12-31T12:00:00.000Z');
  const visitsOnTime = (dates = ['2026-03-30', '2026-06-22', '2026-09-14', '2026-12-07']): History => dates.reduce((h, date) => h.run(assess(date), END), enrolledHistory());

  it.each([
    ['2026-12-29', 358],
    ['2027-01-04', 364],
    ['2027-01-12', 372],
  ])('given visits 1–4 on time, when the end-of-follow-up scan of %s (day %i) is recorded, then it is in its window: no schedule deviation', (date) => {
    const decision = subjectSpec.given(visitsOnTime().all()).when(assess(date), END).result();
    expect(decision.subject.map((e) => e.type)).toEqual(['TumorAssessmentRecorded']);
  });

  it.each([
    ['2026-12-28', 357, '-8 days'],
    ['2027-01-13', 373, '+8 days'],
    ['2027-02-09', 400, '+35 days'],
  ])('given visits 1–4 on time, when a scan of %s (day %i) is recorded, then it is out of window, nearest the end-of-follow-up visit, %s', (date, day, off) => {
    const decision = subjectSpec.given(visitsOnTime().all()).when(assess(date), END).result();
    expect(scheduleDeviations(decision.subject)).toEqual([
      {
        deviationDate: date,
        category: 'assessment-out-of-window',
        severity: 'minor',
        description: `Follow-up tumour assessment of ${date} (day ${day} after enrollment on 2026-01-05) lies outside every scheduled window: nearest is visit 5, the end-of-follow-up visit (day 365), due 2027-01-05 (window 2026-12-29–2027-01-12), ${off}`,
      },
    ]);
  });

  it('given visits 1–4 and the end-of-follow-up scan on time, when a scan after the end of follow-up (day 420, once visit 5) is recorded, then it is not judged', () => {
    const h = visitsOnTime().run(assess('2027-01-04'), END);
    const decision = subjectSpec.given(h.all()).when(assess('2027-03-01'), END).result();
    expect(decision.subject.map((e) => e.type)).toEqual(['TumorAssessmentRecorded']);
  });

  it('given visits 1–4 on time and no end-of-follow-up scan, when a scan after the end of follow-up (day 420) is recorded, then it reveals the end-of-follow-up visit missed', () => {
    const decision = subjectSpec.given(visitsOnTime().all()).when(assess('2027-03-01'), END).result();
    expect(scheduleDeviations(decision.subject)).toEqual([
      {
        deviationDate: '2027-01-05',
        category: 'missed-assessment',
        severity: 'major',
        description: 'Scheduled tumour assessment visit 5, the end-of-follow-up visit (day 365) (due 2027-01-05, window 2026-12-29–2027-01-12) missed: no scan on record in or near its window',
      },
    ]);
  });

  describe('under a 200-day horizon with scans every 42 ± 4 days (amended; the scans recorded under it)', () => {
    const v1 = loadDefaultProtocol();
    const amended: StudyEvent = {
      type: 'ProtocolAmended',
      data: {
        studyId: STUDY_ID,
        version: 2,
        protocol: { ...v1, version: 2, assessments: { ...v1.assessments, intervalDays: 42, windowDays: 4 }, endpoint: { ...v1.endpoint, horizonDays: 200, rateDays: [100, 200] } },
        reason: 'Amendment 1: scans every 6 weeks, 200-day horizon',
      },
    };
    // Visits 1–4 on days 42, 84, 126, 168; the end-of-follow-up visit 5 on day 200 (2026-07-24, window 07-20 – 07-28).
    const v2History = (): History => ['2026-02-16', '2026-03-30', '2026-05-11', '2026-06-22'].reduce((h, date) => h.run(assess(date), END), enrolledHistory().study(amended));

    it.each(['2026-07-20', '2026-07-24', '2026-07-28'])('when the end-of-follow-up scan of %s is recorded, then it is in its window', (date) => {
      expect(scheduleDeviations(subjectSpec.given(v2History().all()).when(assess(date), END).result().subject)).toEqual([]);
    });

    it.each([
      ['2026-07-19', '-5 days'],
      ['2026-07-29', '+5 days'],
    ])('when a scan of %s is recorded, then it is out of window, nearest the end-of-follow-up visit (day 200), %s', (date, off) => {
      const [deviation] = scheduleDeviations(subjectSpec.given(v2History().all()).when(assess(date), END).result().subject);
      expect(deviation?.description).toContain(`nearest is visit 5, the end-of-follow-up visit (day 200), due 2026-07-24 (window 2026-07-20–2026-07-28), ${off}`);
    });

    it('given the end-of-follow-up scan on day 200, when a scan on day 252 (once visit 6) is recorded, then it is not judged and no visit after day 200 is missed', () => {
      const h = v2History().run(assess('2026-07-24'), END);
      expect(scheduleDeviations(subjectSpec.given(h.all()).when(assess('2026-09-14'), END).result().subject)).toEqual([]);
    });
  });

  describe('merged with a visit whose window overlaps its own (a 175-day horizon: visit 2, day 168 ± 7, and the end, day 175 ± 7)', () => {
    const v1 = loadDefaultProtocol();
    const amended: StudyEvent = {
      type: 'ProtocolAmended',
      data: { studyId: STUDY_ID, version: 2, protocol: { ...v1, version: 2, endpoint: { ...v1.endpoint, horizonDays: 175, rateDays: [175] } }, reason: 'Amendment 1: 175-day horizon' },
    };
    const h1 = (): History => enrolledHistory().study(amended).run(assess('2026-03-30'), END);

    it.each(['2026-06-15', '2026-06-22', '2026-07-06'])('when a scan of %s is recorded, then it is in the one merged window (2026-06-15 – 2026-07-06)', (date) => {
      expect(scheduleDeviations(subjectSpec.given(h1().all()).when(assess(date), END).result().subject)).toEqual([]);
    });

    it('when a scan of 2026-07-07 is recorded, then it is out of window, nearest visit 2, the end-of-follow-up visit, due on day 175', () => {
      const [deviation] = scheduleDeviations(subjectSpec.given(h1().all()).when(assess('2026-07-07'), END).result().subject);
      expect(deviation?.description).toContain('nearest is visit 2, the end-of-follow-up visit (day 175), due 2026-06-29 (window 2026-06-15–2026-07-06), +8 days');
    });

    it('given visit 1 on time and nothing after, when a scan after the end of follow-up (day 252) is recorded, then one visit is missed, not two', () => {
      const missed = scheduleDeviations(subjectSpec.given(h1().all()).when(assess('2026-09-14'), END).result().subject);
      expect(missed.map((d) => `${d.category} ${d.deviationDate}`)).toEqual(['missed-assessment 2026-06-29']);
    });
  });
});
