import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openEventStore, type StoredEvent } from '@trial-ledger/event-store';
import { cli, PASSWORD, seedUsers, tempDir } from './cli-harness';

const STUDY = 'LANR-HGNET-01';
let key = 0;
const line = (command: string, subjectId: string, payload: Record<string, unknown>): string =>
  JSON.stringify({ command, studyId: STUDY, subjectId, payload, idempotencyKey: `hidden-${(key += 1)}` });
const lesions = (t1: number, t2: number) => [{ lesionId: 'T1', organ: 'liver', diameterMm: t1, nodal: false }, { lesionId: 'T2', organ: 'liver', diameterMm: t2, nodal: false }];
const scan = (assessmentDate: string, baseline: boolean, t1: number, t2: number, newLesions = false) =>
  ({ assessmentDate, modality: 'CT', baseline, targetLesions: lesions(t1, t2), nonTargetStatus: 'present', newLesions });
const screened = (subjectId: string): string[] => [
  line('ScreenSubject', subjectId, { screeningDate: '2025-01-06', consentDate: '2025-01-06', sex: 'M', birthYear: 1958 }),
  line('AssessEligibility', subjectId, {
    assessmentDate: '2025-01-08', age: 66, primarySite: 'sigmoid-colon', whoGrade: 1, ki67Percent: 2, diseaseStatus: 'recurrent',
    measurableDisease: true, priorSystemicTherapy: false, ecog: 0,
  }),
];
const enroll = (subjectId: string): string => line('EnrollSubject', subjectId, { enrollmentDate: '2025-01-20' });

/**
 * A study as a site would send it, with what happens in real studies: two subjects whose baseline
 * imaging was never entered. Their follow-up scans are recorded (not refused), each with a detected
 * `missing-baseline-assessment` deviation and a system query, and their PFS is censored at the start
 * date (SPEC §3 rule 0), while the others' PFS follows their scans.
 */
const HIDDEN_STUDY = [
  // S001: baseline, progression (new lesion) at day 85 → event.
  ...screened('S001'), line('RecordTumorAssessment', 'S001', scan('2025-01-10', true, 30, 20)), enroll('S001'),
  line('RecordDose', 'S001', { cycle: 1, administeredOn: '2025-01-21', doseMg: 120, route: 'deep-sc', lotNumber: 'LOT-7', injectionSite: 'left buttock' }),
  line('RecordTumorAssessment', 'S001', scan('2025-04-14', false, 30, 20, true)),
  // S002: no baseline; the follow-up even shows a new lesion — still rule 0: censored at the start date.
  ...screened('S002'), enroll('S002'), line('RecordTumorAssessment', 'S002', scan('2025-04-14', false, 31, 22, true)),
  // S003: no baseline, two follow-ups.
  ...screened('S003'), enroll('S003'), line('RecordTumorAssessment', 'S003', scan('2025-04-14', false, 29, 20)), line('RecordTumorAssessment', 'S003', scan('2025-07-07', false, 28, 19)),
  // S004: baseline, stable disease → censored at the last adequate assessment.
  ...screened('S004'), line('RecordTumorAssessment', 'S004', scan('2025-01-12', true, 40, 25)), enroll('S004'),
  line('RecordDose', 'S004', { cycle: 1, administeredOn: '2025-01-22', doseMg: 120, route: 'deep-sc', lotNumber: 'LOT-7', injectionSite: 'right buttock' }),
  line('RecordTumorAssessment', 'S004', scan('2025-04-14', false, 39, 25)),
];

describe('CLI: queries and SDV, and a study with missing baselines', () => {
  const dir = tempDir();
  const store = `sqlite:${join(dir.path, 'ledger.sqlite')}`;
  const as = (user: string, ...argv: string[]) => cli(['--store', store, '--as', user, '--json', ...argv], { TRIAL_LEDGER_PASSWORD: PASSWORD });
  const json = async (user: string, ...argv: string[]): Promise<Record<string, unknown>> => {
    const run = await as(user, ...argv);
    if (run.status !== 0) throw new Error(`${argv.join(' ')} as ${user}: exit ${run.status}: ${run.stdout}${run.stderr}`);
    return JSON.parse(run.stdout) as Record<string, unknown>;
  };
  const events = async (subjectId: string): Promise<StoredEvent[]> => {
    const opened = await openEventStore(store);
    try {
      return await opened.readStream(`subject-${STUDY}-${subjectId}`);
    } finally {
      await opened.close();
    }
  };

  beforeAll(async () => {
    await seedUsers(store);
    expect((await as('admin', 'study', 'register')).status).toBe(0);
    const file = join(dir.path, 'hidden-study.jsonl');
    writeFileSync(file, `${HIDDEN_STUDY.join('\n')}\n`);
    const imported = await as('investigator', 'import', file);
    expect({ status: imported.status, stderr: imported.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
  }, 60_000);
  afterAll(() => dir.remove());

  it('imports the follow-ups without a baseline, with a missing-baseline-assessment deviation and a system query each', async () => {
    const s003 = await events('S003');
    expect(s003.filter((e) => e.type === 'ProtocolDeviationDetected').map((e) => e.data.category)).toEqual(['missing-baseline-assessment', 'missing-baseline-assessment']);
    expect(s003.filter((e) => e.type === 'TumorAssessmentRecorded').map((e) => e.data.overallResponse)).toEqual(['NE', 'NE']);
    const { queries } = (await json('monitor', 'query', 'list', '--opened-by', 'system')) as { queries: { subjectId: string; origin: string; status: string }[] };
    expect(queries.map((q) => q.subjectId).sort()).toEqual(['S002', 'S003', 'S003']);
    expect(queries.every((q) => q.origin === 'system' && q.status === 'open')).toBe(true);
  });

  it('derives PFS with rule 0 for the subjects without a baseline', async () => {
    // pfs reads the store as no signed-in user: no --as.
    const pfs = JSON.parse((await cli(['--store', store, '--json', 'pfs'])).stdout) as { subjects: { subjectId: string; adt: string; aval: number; cnsr: number }[]; summary: { n: number; events: number } };
    const bySubject = Object.fromEntries(pfs.subjects.map((s) => [s.subjectId, s]));
    expect(bySubject.S001).toMatchObject({ adt: '2025-04-14', cnsr: 0 });
    expect(bySubject.S002).toMatchObject({ adt: '2025-01-20', aval: 1, cnsr: 1 });
    expect(bySubject.S003).toMatchObject({ adt: '2025-01-20', aval: 1, cnsr: 1 });
    expect(bySubject.S004).toMatchObject({ adt: '2025-04-14', cnsr: 4 });
    expect(pfs.summary).toMatchObject({ n: 4, events: 1 });
  });

  it('walks a query through the CLI: open (new id in --json), respond, close, correction → closed-modified, reopen, list', async () => {
    const doseId = (await events('S004')).find((e) => e.type === 'DoseAdministered')!.eventId;
    const opened = await json('monitor', 'query', 'open', '--subject', 'S004', '--event', doseId, '--field', 'lotNumber', '--text', 'Lot differs from the pharmacy log');
    const queryId = opened.queryId as string;
    expect(queryId).toMatch(/^[0-9a-f]{32}$/);
    expect(opened.events).toEqual([expect.objectContaining({ type: 'QueryOpened' })]);

    const refused = await as('monitor', 'query', 'respond', queryId, '--text', 'x', '--category', 'other');
    expect(refused.status).not.toBe(0);
    expect(JSON.parse(refused.stdout).error.code).toBe('AUTH.ROLE_NOT_ALLOWED');
    const badCategory = await as('coordinator', 'query', 'respond', queryId, '--text', 'x', '--category', 'fixed');
    expect(badCategory.status).toBe(2);

    await json('coordinator', 'query', 'respond', queryId, '--text', 'Label misread; will correct', '--category', 'data-corrected');
    await json('monitor', 'query', 'close', queryId, '--text', 'OK');
    const fix = join(dir.path, 'fix.jsonl');
    writeFileSync(fix, `${JSON.stringify({ command: 'CorrectEntry', studyId: STUDY, subjectId: 'S004', idempotencyKey: 'fix-lot', payload: { targetEventId: doseId, changes: { lotNumber: 'LOT-8' }, reason: 'query: label misread' } })}\n`);
    await json('coordinator', 'import', fix);
    expect(((await json('regulator', 'query', 'show', queryId)) as { status: string }).status).toBe('closed-modified');

    await json('monitor', 'query', 'reopen', queryId, '--text', 'Please file the corrected label');
    const shown = (await json('investigator', 'query', 'show', queryId)) as { status: string; thread: { kind: string }[] };
    expect(shown.status).toBe('open');
    expect(shown.thread.map((t) => t.kind)).toEqual(['opened', 'responded', 'closed', 'target-corrected', 'reopened']);
    const open = (await json('monitor', 'query', 'list', '--status', 'open', '--subject', 'S004')) as { queries: { queryId: string }[] };
    expect(open.queries.map((q) => q.queryId)).toEqual([queryId]);
    // The human list heads its columns, and each row lines up under them.
    const listed = (await cli(['--store', store, '--as', 'monitor', 'query', 'list', '--status', 'open', '--subject', 'S004'], { TRIAL_LEDGER_PASSWORD: PASSWORD })).stdout.trim().split('\n');
    expect(listed[0]).toMatch(/^Query\s+Status\s+Subject\s+Age \(days\)\s+Entry\s+Opened by$/);
    expect(listed[2].indexOf('open')).toBe(listed[0].indexOf('Status'));
    expect(listed[2].endsWith(' monitor')).toBe(true);
    expect(listed[2].lastIndexOf('monitor')).toBe(listed[0].indexOf('Opened by'));
    expect(listed[2]).not.toMatch(/opened by/);
    await json('monitor', 'query', 'cancel', queryId, '--text', 'superseded');
    const cancelled = await as('monitor', 'query', 'close', queryId);
    expect(JSON.parse(cancelled.stdout).error.code).toBe('QUERY.CANCELLED');
    expect((await as('admin', 'query', 'list')).status).not.toBe(0);
    // A filter that could never match is a usage error (exit 2), as it is a 400 on the API — not "No queries".
    for (const filter of [['--subject', '__proto__'], ['--subject', 'S00-4'], ['--opened-by', 'sys\u202etem']]) {
      const bad = await as('monitor', 'query', 'list', ...filter);
      expect([bad.status, JSON.parse(bad.stdout).error.code]).toEqual([2, 'CLI.INVALID_OPTION']);
    }
  });

  it('lists closed-modified queries under --status closed, pages the list as the API does, and counts open queries in study show', async () => {
    const doseId = (await events('S001')).find((e) => e.type === 'DoseAdministered')!.eventId;
    const modified = (await json('monitor', 'query', 'open', '--subject', 'S001', '--event', doseId, '--field', 'lotNumber', '--text', 'Lot?')).queryId as string;
    await json('monitor', 'query', 'close', modified);
    const fix = join(dir.path, 'fix-s001.jsonl');
    writeFileSync(fix, `${JSON.stringify({ command: 'CorrectEntry', studyId: STUDY, subjectId: 'S001', idempotencyKey: 'fix-lot-s001', payload: { targetEventId: doseId, changes: { lotNumber: 'LOT-9' }, reason: 'label misread' } })}\n`);
    await json('coordinator', 'import', fix);
    const closed = (await json('monitor', 'query', 'list', '--status', 'closed', '--subject', 'S001')) as { queries: { queryId: string; status: string }[] };
    expect(closed.queries).toEqual([expect.objectContaining({ queryId: modified, status: 'closed-modified' })]);
    for (const field of ['administeredOn', 'injectionSite']) await json('monitor', 'query', 'open', '--subject', 'S001', '--event', doseId, '--field', field, '--text', 'Source?');

    const whole = (await json('regulator', 'query', 'list', '--page-size', '1000')) as { queries: { queryId: string; status: string; subjectId: string }[]; page: number; pageSize: number; hasMore: boolean };
    expect(whole).toMatchObject({ page: 1, pageSize: 1000, hasMore: false });
    const seen: string[] = [];
    for (let page = 1; page <= whole.queries.length; page += 1) {
      const listed = (await json('regulator', 'query', 'list', '--page', String(page), '--page-size', '2')) as { queries: { queryId: string }[]; page: number; hasMore: boolean };
      expect({ page: listed.page, hasMore: listed.hasMore }).toEqual({ page, hasMore: page * 2 < whole.queries.length });
      seen.push(...listed.queries.map((q) => q.queryId));
      if (!listed.hasMore) break;
    }
    expect(seen).toEqual(whole.queries.map((q) => q.queryId));
    const text = await cli(['--store', store, '--as', 'monitor', 'query', 'list', '--page-size', '1'], { TRIAL_LEDGER_PASSWORD: PASSWORD });
    expect(text.stdout).toContain('More queries: --page 2');
    for (const bad of [['--page', '0'], ['--page', '1e1'], ['--page-size', '1001'], ['--page-size', '0x10']]) {
      const refused = await as('monitor', 'query', 'list', ...bad);
      expect([bad, refused.status, JSON.parse(refused.stdout).error.code]).toEqual([bad, 2, 'CLI.INVALID_OPTION']);
    }

    const unresolved = whole.queries.filter((q) => q.status === 'open' || q.status === 'answered');
    const shownRun = await cli(['--store', store, '--json', 'study', 'show']);
    expect(shownRun.status).toBe(0);
    const shown = JSON.parse(shownRun.stdout) as { openQueries: number; subjects: { subjectId: string; openQueries: number }[] };
    expect(shown.openQueries).toBe(unresolved.length);
    expect(shown.subjects.map((row) => [row.subjectId, row.openQueries])).toEqual(
      shown.subjects.map((row) => [row.subjectId, unresolved.filter((q) => q.subjectId === row.subjectId).length]),
    );
    const plain = await cli(['--store', store, 'study', 'show']);
    expect(plain.stdout).toContain(`open queries: ${unresolved.length}`);
  });

  it('records SDV through the CLI; a later correction revokes it, so the entry can be verified again', async () => {
    const scanId = (await events('S004')).filter((e) => e.type === 'TumorAssessmentRecorded')[1].eventId;
    expect(((await json('monitor', 'sdv', '--subject', 'S004', '--event', scanId)) as { events: unknown[] }).events).toHaveLength(1);
    expect(((await json('monitor', 'sdv', '--subject', 'S004', '--event', scanId)) as { events: unknown[] }).events).toHaveLength(0);
    const fix = join(dir.path, 'fix-scan.jsonl');
    writeFileSync(fix, `${JSON.stringify({ command: 'CorrectEntry', studyId: STUDY, subjectId: 'S004', idempotencyKey: 'fix-scan', payload: { targetEventId: scanId, changes: { modality: 'MRI' }, reason: 'source: MRI report' } })}\n`);
    await json('investigator', 'import', fix);
    expect(((await json('monitor', 'sdv', '--subject', 'S004', '--event', scanId)) as { events: { type: string }[] }).events).toEqual([expect.objectContaining({ type: 'RecordSourceVerified' })]);
    const refused = await as('coordinator', 'sdv', '--subject', 'S004', '--event', scanId);
    expect(JSON.parse(refused.stdout).error.code).toBe('AUTH.ROLE_NOT_ALLOWED');
  });

  it('replay --subject --json carries the casebook\'s monitoring (queries and SDV) as the API casebook does, as of the replayed position', async () => {
    const scanId = (await events('S004')).filter((e) => e.type === 'TumorAssessmentRecorded')[1].eventId;
    type Replayed = { monitoring?: { sdv: { verified: number }; entries: Record<string, { sdv: { status: string }; queries: unknown[] }> } };
    // replay reads the store as no signed-in user: no --as.
    const replay = async (...argv: string[]): Promise<Replayed> => JSON.parse((await cli(['--store', store, '--json', 'replay', '--subject', 'S004', ...argv])).stdout) as Replayed;
    const now = await replay();
    expect(now.monitoring?.sdv).toMatchObject({ subjectId: 'S004', verified: 1 });
    expect(now.monitoring?.entries[scanId]).toMatchObject({ targetEventId: scanId, sdv: { status: 'verified' } });
    const opened = await openEventStore(store);
    const [firstSdv] = await opened.readStream(`sdv-${STUDY}-S004`).finally(() => opened.close());
    const before = await replay('--position', String(firstSdv.globalPosition - 1));
    expect(before.monitoring?.entries[scanId]).toMatchObject({ sdv: { status: 'not-verified' } });
  });

  it('prints queries and SDV in the report beside the casebook', async () => {
    const report = await cli(['--store', store, '--as', 'monitor', 'report', '--subject', 'S004'], { TRIAL_LEDGER_PASSWORD: PASSWORD });
    expect(report.status).toBe(0);
    expect(report.stdout).toContain('Queries and source data verification');
    expect(report.stdout).toMatch(/SDV: 1 of \d+ entries verified/);
    expect(report.stdout).toMatch(/SDV: \d+ of \d+ entries verified[^<]*; \d+ to verify again \(a correction or void after the verification\)/);
    expect(report.stdout).toContain('cancelled');
  });
});

describe('CLI: reading queries of a study or query that does not exist', () => {
  const dir = tempDir();
  const store = `sqlite:${join(dir.path, 'ledger.sqlite')}`;
  const as = (user: string, ...argv: string[]) => cli(['--store', store, '--as', user, '--json', ...argv], { TRIAL_LEDGER_PASSWORD: PASSWORD });

  beforeAll(async () => {
    await seedUsers(store);
    expect((await as('admin', 'study', 'register')).status).toBe(0);
  }, 60_000);
  afterAll(() => dir.remove());

  it.each([
    [['query', 'list', '--study', 'LANR-HGNET-O1'], 'STUDY.NOT_REGISTERED'],
    [['query', 'show', '0123456789abcdef0123456789abcdef', '--study', 'LANR-HGNET-O1'], 'STUDY.NOT_REGISTERED'],
    [['query', 'show', '0123'], 'QUERY.INVALID_ID'],
    [['query', 'show', '0123456789abcdef0123456789abcdef'], 'QUERY.NOT_FOUND'],
  ])('%j is refused as %s (exit 1), as the API refuses it, not answered with an empty list', async (argv, code) => {
    const run = await as('monitor', ...argv);
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).error.code).toBe(code);
  });
});
