import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openEventStore, type StoredEvent } from '@trial-ledger/event-store';
import { cli, PASSWORD, seedUsers, tempDir } from './cli-harness';

const STUDY = 'LANR-HGNET-01';
const line = (command: string, subjectId: string, idempotencyKey: string, payload: Record<string, unknown>, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ command, studyId: STUDY, subjectId, payload, idempotencyKey, ...extra });

const dose = (cycle: number, administeredOn: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  cycle, administeredOn, doseMg: 120, route: 'deep-sc', lotNumber: 'LAN25017', injectionSite: 'left upper outer buttock', ...overrides,
});

const GOOD = [
  line('ScreenSubject', 'S001', 'k-screen', { screeningDate: '2025-01-06', consentDate: '2025-01-06', sex: 'F', birthYear: 1961 }),
  line('AssessEligibility', 'S001', 'k-elig', {
    assessmentDate: '2025-01-15', age: 63, primarySite: 'rectum', whoGrade: 2, ki67Percent: 6, diseaseStatus: 'metastatic',
    measurableDisease: true, priorSystemicTherapy: false, ecog: 1,
  }),
  line('EnrollSubject', 'S001', 'k-enroll', { enrollmentDate: '2025-01-20' }),
  line('RecordDose', 'S001', 'k-dose-1', dose(1, '2025-01-21')),
];
const BAD_DOSE = line('RecordDose', 'S002', 'k-dose-S002', dose(1, '2025-01-22'));
const TAIL = line('RecordDose', 'S001', 'k-dose-2', dose(2, '2025-02-18'));

describe('trial-ledger import', () => {
  const dir = tempDir();
  const storeUrl = `sqlite:${join(dir.path, 'ledger.sqlite')}`;
  const file = join(dir.path, 'site-3.jsonl');
  const importAs = (user: string, path: string, ...flags: string[]) =>
    cli(['--store', storeUrl, '--as', user, ...flags, 'import', path], { TRIAL_LEDGER_PASSWORD: PASSWORD });
  const subjectEvents = async (): Promise<StoredEvent[]> => {
    const store = await openEventStore(storeUrl);
    try {
      return await store.readStream(`subject-${STUDY}-S001`);
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    await seedUsers(storeUrl);
    const run = await cli(['--store', storeUrl, '--as', 'admin', 'study', 'register'], { TRIAL_LEDGER_PASSWORD: PASSWORD });
    expect(run.status).toBe(0);
  });
  afterAll(() => dir.remove());

  it('given a bad line in the middle, then it reports that line, keeps the lines before it and writes nothing of it', async () => {
    writeFileSync(file, [...GOOD, BAD_DOSE, TAIL, ''].join('\n'));

    const run = await importAs('investigator', file);

    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${file}:5: RecordDose refused [`);
    expect(run.stderr).toMatch(/\[SUBJECT\.[A-Z_]+\]/);
    const events = await subjectEvents();
    expect(events.map((e) => e.metadata.idempotencyKey)).toEqual(['k-screen', 'k-elig', 'k-enroll', 'k-dose-1']);
    expect(events.every((e) => e.metadata.source === 'import' && e.metadata.actor.username === 'investigator')).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['SubjectScreened', 'EligibilityConfirmed', 'SubjectEnrolled', 'DoseAdministered']);
  });

  it('given the fixed file, when re-run, then the applied lines are skipped and only the rest is written', async () => {
    writeFileSync(file, [...GOOD, line('RecordDose', 'S001', 'k-dose-2', dose(2, '2025-02-18')), ''].join('\n'));

    const run = await importAs('investigator', file, '--json');

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, linesRead: 5, applied: 1, skipped: 4, eventsWritten: 1, failure: null });
    expect((await subjectEvents()).map((e) => e.metadata.idempotencyKey)).toEqual(['k-screen', 'k-elig', 'k-enroll', 'k-dose-1', 'k-dose-2']);
  });

  it('given an applied line edited in place, then it is refused (IDEMPOTENCY.KEY_REUSED) and nothing is written', async () => {
    const edited = line('RecordDose', 'S001', 'k-dose-1', dose(1, '2025-01-21', { lotNumber: 'LAN25018' }));
    writeFileSync(file, `${edited}\n`);

    const run = await importAs('investigator', file, '--json');

    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, applied: 0, failure: { line: 1, code: 'IDEMPOTENCY.KEY_REUSED', command: 'RecordDose' } });
    expect(await subjectEvents()).toHaveLength(5);
  });

  it.each([
    { what: 'an unknown top-level field', bad: line('RecordDose', 'S001', 'k-x1', dose(3, '2025-03-18'), { site: 3 }), code: 'IMPORT.UNKNOWN_FIELD' },
    { what: 'an unknown command', bad: line('GiveDose', 'S001', 'k-x2', dose(3, '2025-03-18')), code: 'IMPORT.UNKNOWN_COMMAND' },
    { what: 'a study command', bad: JSON.stringify({ command: 'LockStudy', studyId: STUDY, subjectId: 'S001', payload: { reason: 'x' }, idempotencyKey: 'k-x3' }), code: 'IMPORT.COMMAND_NOT_IMPORTABLE' },
    { what: 'no idempotency key', bad: JSON.stringify({ command: 'RecordDose', studyId: STUDY, subjectId: 'S001', payload: dose(3, '2025-03-18') }), code: 'IMPORT.IDEMPOTENCY_KEY_REQUIRED' },
    { what: 'broken JSON', bad: '{"command": "RecordDose",', code: 'IMPORT.INVALID_JSON' },
    { what: 'a payload field given twice', bad: line('RecordDose', 'S001', 'k-x8', dose(3, '2025-03-18')).replace('"doseMg":', '"doseMg":90,"doseMg":'), code: 'IMPORT.DUPLICATE_KEY' },
    { what: 'an unknown payload field', bad: line('RecordDose', 'S001', 'k-x4', dose(3, '2025-03-18', { doseMG: 120 })), code: 'VALIDATION.UNKNOWN_FIELD' },
    { what: 'an out-of-range payload value', bad: line('RecordDose', 'S001', 'k-x5', dose(3, '2025-03-18', { cycle: -1 })), code: 'VALIDATION.OUT_OF_RANGE' },
    { what: 'a dose of 1e400 mg (JSON.parse reads Infinity)', bad: line('RecordDose', 'S001', 'k-x9', dose(3, '2025-03-18')).replace('"doseMg":120', '"doseMg":1e400'), code: 'VALIDATION.OUT_OF_RANGE' },
    { what: 'a dose of 120.00000000000000001 mg (JSON.parse reads 120)', bad: line('RecordDose', 'S001', 'k-x10', dose(3, '2025-03-18')).replace('"doseMg":120', '"doseMg":120.00000000000000001'), code: 'VALIDATION.PRECISION' },
    { what: 'an idempotency key holding a NUL', bad: line('RecordDose', 'S001', 'k-x6\u0000', dose(3, '2025-03-18')), code: 'IMPORT.INVALID_FIELD' },
    { what: 'an idempotency key holding a line break', bad: line('RecordDose', 'S001', 'k-x7\nforged', dose(3, '2025-03-18')), code: 'IMPORT.INVALID_FIELD' },
  ])('given $what on line 2, then the report names line 2 and code $code', async ({ bad, code }) => {
    writeFileSync(file, [GOOD[0], bad, TAIL].join('\n'));

    const run = await importAs('investigator', file, '--json');

    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, linesRead: 2, skipped: 1, applied: 0, failure: { line: 2, code } });
    expect(await subjectEvents()).toHaveLength(5);
  });

  it('given a line that is not UTF-8 (a Latin-1 byte), then that line is refused as IMPORT.INVALID_UTF8, not recorded with U+FFFD', async () => {
    const latin1 = Buffer.from(line('RecordDose', 'S001', 'k-latin1', dose(3, '2025-03-18', { injectionSite: 'left buttock XX' })), 'utf8');
    const at = latin1.indexOf('XX');
    latin1[at] = 0xdc; // "Ü" in Latin-1, a lone continuation-less byte in UTF-8
    latin1[at + 1] = 0x62;
    writeFileSync(file, Buffer.concat([Buffer.from(`\uFEFF${GOOD[0]}\r\n`, 'utf8'), latin1, Buffer.from(`\r\n${TAIL}\r\n`, 'utf8')]));

    const run = await importAs('investigator', file, '--json');

    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, linesRead: 2, skipped: 1, applied: 0, failure: { line: 2, code: 'IMPORT.INVALID_UTF8' } });
    expect(await subjectEvents()).toHaveLength(5);
  });

  it('given two files saved with a UTF-8 BOM and joined (cat a.jsonl b.jsonl), then the second file\'s first line is read without its BOM, not refused as invalid JSON', async () => {
    const joined = line('RecordDose', 'S001', 'k-bom-joined', dose(3, '2025-03-18'));
    writeFileSync(file, Buffer.from(`\uFEFF${GOOD[0]}\r\n\uFEFF${joined}\r\n`, 'utf8'));

    const run = await importAs('investigator', file, '--json');

    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, linesRead: 2, skipped: 1, applied: 1, failure: null });
    expect(run.status).toBe(0);
    expect((await subjectEvents()).at(-1)?.metadata.idempotencyKey).toBe('k-bom-joined');
  });

  it('shows a hostile line\'s text in its report as escapes, never raw terminal control sequences', async () => {
    writeFileSync(file, `${line('RecordDose\u001b]0;pwned\u0007\u001b[2J', 'S001', 'k-esc', dose(3, '2025-03-18'))}\n`);

    const run = await importAs('investigator', file);

    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Unknown command "RecordDose\\u001b]0;pwned\\u0007\\u001b[2J"');
    // eslint-disable-next-line no-control-regex -- asserting their absence
    expect(run.stderr).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/u);
  });

  it('refuses a command the acting role may not issue (a coordinator enrolling) and names the line', async () => {
    writeFileSync(file, `\n${line('EnrollSubject', 'S009', 'k-enroll-9', { enrollmentDate: '2025-03-01' })}\n`);

    const run = await importAs('coordinator', file, '--json');

    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { failure: { line: number; code: string }; blank: number };
    expect(report.failure.line).toBe(2);
    expect(report.blank).toBe(1);
    expect(report.failure.code).toMatch(/^(AUTH|ROLE)\./);
  });

  it('given a payload nested 100,000 levels deep, then the line is refused as IMPORT.TOO_DEEP (not an internal stack overflow) and nothing is written', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    writeFileSync(file, `{"command":"RecordTumorAssessment","studyId":"${STUDY}","subjectId":"S001","idempotencyKey":"k-deep","payload":{"targetLesions":${deep}}}\n`);
    const before = (await subjectEvents()).length;

    const run = await importAs('investigator', file, '--json');

    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { failure: { line: number; code: string }; eventsWritten: number };
    expect(report.failure).toMatchObject({ line: 1, code: 'IMPORT.TOO_DEEP' });
    expect(report.eventsWritten).toBe(0);
    expect((await subjectEvents()).length).toBe(before);
  });

  it('given S077 enrolled, then a line screening s077 is refused as SUBJECT.ID_CONFUSABLE, one dosing s077 as SUBJECT.NOT_FOUND naming S077, and nothing is written for s077', async () => {
    const streamOf = async (subjectId: string): Promise<StoredEvent[]> => {
      const store = await openEventStore(storeUrl);
      try {
        return await store.readStream(`subject-${STUDY}-${subjectId}`);
      } finally {
        await store.close();
      }
    };
    const enrolled = GOOD.slice(0, 3).map((l) => l.replaceAll('"S001"', '"S077"').replaceAll('"k-', '"k-77-'));
    const screenLower = line('ScreenSubject', 's077', 'k-screen-lower', { screeningDate: '2025-01-06', consentDate: '2025-01-06', sex: 'F', birthYear: 1961 });
    writeFileSync(file, [...enrolled, screenLower, ''].join('\n'));
    const screened = await importAs('investigator', file, '--json');
    expect(screened.status).toBe(1);
    expect(JSON.parse(screened.stdout)).toMatchObject({ ok: false, applied: 3, failure: { line: 4, code: 'SUBJECT.ID_CONFUSABLE', command: 'ScreenSubject' } });
    expect(screened.stdout).toContain('S077');
    expect((await streamOf('S077')).map((e) => e.type)).toEqual(['SubjectScreened', 'EligibilityConfirmed', 'SubjectEnrolled']);

    writeFileSync(file, `${line('RecordDose', 's077', 'k-dose-lower', dose(1, '2025-01-21'))}\n`);
    const dosed = await importAs('investigator', file, '--json');
    expect(dosed.status).toBe(1);
    expect(JSON.parse(dosed.stdout)).toMatchObject({ ok: false, applied: 0, failure: { line: 1, code: 'SUBJECT.NOT_FOUND' } });
    expect(dosed.stdout).toContain('did you mean S077');
    expect(await streamOf('s077')).toEqual([]);
  });

  it('given an AE and its outcomes naming it by the idempotency key of its report, then each outcome is recorded with the AE\'s event id and replay shows the current one', async () => {
    writeFileSync(
      file,
      [
        line('ReportAdverseEvent', 'S001', 'k-ae-1', { term: 'diarrhoea', onsetDate: '2025-02-01', ctcaeGrade: 2, serious: false, relatedness: 'possibly related' }),
        line('RecordAdverseEventOutcome', 'S001', 'k-ae-1-out-1', { adverseEventIdempotencyKey: 'k-ae-1', outcome: 'recovering' }),
        line('RecordAdverseEventOutcome', 'S001', 'k-ae-1-out-2', { adverseEventIdempotencyKey: 'k-ae-1', outcome: 'recovered', endDate: '2025-02-09' }),
        line('RecordAdverseEventOutcome', 'S001', 'k-ae-1-out-3', { adverseEventIdempotencyKey: 'k-ae-1', outcome: 'recovering', endDate: '2025-02-10' }),
        '',
      ].join('\n'),
    );
    const run = await importAs('coordinator', file, '--json');
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, applied: 3, failure: { line: 4, code: 'AE.END_DATE_NOT_ALLOWED', command: 'RecordAdverseEventOutcome' } });
    const events = await subjectEvents();
    const ae = events.find((e) => e.metadata.idempotencyKey === 'k-ae-1')!;
    expect(events.filter((e) => e.type === 'AdverseEventOutcomeRecorded').map((e) => e.data)).toEqual([
      { adverseEventId: ae.eventId, outcome: 'recovering', endDate: null },
      { adverseEventId: ae.eventId, outcome: 'recovered', endDate: '2025-02-09' },
    ]);
    const replay = await cli(['--store', storeUrl, 'replay', '--subject', 'S001']);
    expect({ status: replay.status, stderr: replay.stderr }).toEqual({ status: 0, stderr: '' });
    expect(replay.stdout).toContain('2025-02-01 diarrhoea grade 2 (possibly related); recovered/resolved 2025-02-09');
  });

  it('fails with exit status 2 when the file cannot be read, and needs --as', async () => {
    expect((await importAs('investigator', join(dir.path, 'missing.jsonl'))).status).toBe(2);
    const anonymous = await cli(['--store', storeUrl, 'import', file], { TRIAL_LEDGER_PASSWORD: PASSWORD });
    expect(anonymous.status).toBe(2);
    expect(anonymous.stderr).toContain('AUTH.USER_REQUIRED');
  });
});
