import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { openEventStore } from '@trial-ledger/event-store';
import { cli, tempDir } from './cli-harness';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/trial-ledger.js');
const PASSWORD = 'demo workshop passphrase 1';
/** The investigator's own password, chosen in place of the demo's one-time password. */
const OWN_PASSWORD = 'karin chose this passphrase';
const STUDY = 'LANR-HGNET-01';

/** The built binary as a user runs it, with the demo team's shared password in the environment. */
const run = (argv: readonly string[], input?: string) =>
  spawnSync(process.execPath, [BIN, ...argv], { input, encoding: 'utf8', env: { ...process.env, TRIAL_LEDGER_PASSWORD: OWN_PASSWORD, TRIAL_LEDGER_DEMO_PASSWORD: PASSWORD } });

/**
 * `trial-ledger … | head -1`: the reader takes the first chunk and goes away. Resolves with the
 * exit status and everything written to stderr.
 */
const pipeIntoHead = (argv: readonly string[]): Promise<{ status: number | null; stderr: string; firstChunk: string }> =>
  new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TRIAL_LEDGER_PASSWORD: OWN_PASSWORD } });
    let stderr = '';
    let firstChunk = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.once('data', (chunk: Buffer) => {
      firstChunk = chunk.toString('utf8');
      child.stdout.destroy();
    });
    child.on('error', fail);
    child.on('close', (status) => done({ status, stderr, firstChunk }));
  });

describe('the CLI at the edge: stdin, pipes, usage errors, help', () => {
  const dir = tempDir();
  const storeUrl = `sqlite:${join(dir.path, 'demo.sqlite')}`;
  beforeAll(async () => {
    const demo = await cli(['--store', storeUrl, 'demo', '--today', '2026-09-01'], { TRIAL_LEDGER_DEMO_PASSWORD: PASSWORD });
    if (demo.status !== 0) throw new Error(`demo failed: ${demo.stderr}`);
    const chosen = await cli(['--store', storeUrl, '--as', 'k.lindqvist', 'users', 'change-password'], { TRIAL_LEDGER_PASSWORD: PASSWORD, TRIAL_LEDGER_NEW_PASSWORD: OWN_PASSWORD });
    if (chosen.status !== 0) throw new Error(`change-password failed: ${chosen.stderr}`);
    // The monitor runs the exports (recorded as DataExported as the acting user).
    const monitor = await cli(['--store', storeUrl, '--as', 'm.rossi', 'users', 'change-password'], { TRIAL_LEDGER_PASSWORD: PASSWORD, TRIAL_LEDGER_NEW_PASSWORD: OWN_PASSWORD });
    if (monitor.status !== 0) throw new Error(`change-password failed: ${monitor.stderr}`);
  }, 60_000);
  afterAll(() => dir.remove());

  it.each([
    ['audit-trail', ['audit-trail']],
    ['audit-trail --json', ['--json', 'audit-trail']],
    ['export audit-trail --format csv (stdout)', ['--as', 'm.rossi', 'export', 'audit-trail', '--format', 'csv']],
  ])('when `%s` is piped into a reader that stops after the first chunk, then it ends quietly with exit 0', async (_what, argv) => {
    const result = await pipeIntoHead(['--store', storeUrl, ...argv]);
    expect(result.firstChunk.length).toBeGreaterThan(0);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('the built binary hints at the type a misspelt --type most likely means (fastest-levenshtein loads from dist)', () => {
    const result = run(['--store', storeUrl, 'audit-trail', '--type', 'DoseAdministred']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('[AUDIT.UNKNOWN_EVENT_TYPE]');
    expect(result.stderr).toContain('"DoseAdministred" (did you mean DoseAdministered?)');
    expect(result.stdout).toBe('');
  });

  it.each([
    ['pfs --cutoff 2026-02-30', ['pfs', '--cutoff', '2026-02-30'], '--cutoff', 'PFS.INVALID_CUTOFF'],
    ['export adtte --cutoff 2026-02-29 (2026 is no leap year)', ['export', 'adtte', '--cutoff', '2026-02-29'], '--cutoff', 'PFS.INVALID_CUTOFF'],
    ['pfs --as-known-at yesterday', ['pfs', '--as-known-at', 'yesterday'], '--as-known-at', 'REPLAY.INVALID_AS_KNOWN_AT'],
    ['replay --as-known-at 2026-04-31T10:00:00Z', ['replay', '--subject', 'S001', '--as-known-at', '2026-04-31T10:00:00Z'], '--as-known-at', 'REPLAY.INVALID_AS_KNOWN_AT'],
    ['pfs --as-known-at 2999-01-01 (still to come)', ['pfs', '--as-known-at', '2999-01-01'], '--as-known-at', 'REPLAY.AS_KNOWN_AT_IN_FUTURE'],
    ['replay --as-known-at 2999-01-01T00:00:00Z (still to come)', ['replay', '--subject', 'S001', '--as-known-at', '2999-01-01T00:00:00Z'], '--as-known-at', 'REPLAY.AS_KNOWN_AT_IN_FUTURE'],
    ['export adtte --as-known-at 2999-01-01 (still to come)', ['export', 'adtte', '--as-known-at', '2999-01-01'], '--as-known-at', 'REPLAY.AS_KNOWN_AT_IN_FUTURE'],
    ['pfs diff --to-known-at 2999-01-01 (still to come)', ['pfs', 'diff', '--from-known-at', '2026-01-01', '--to-known-at', '2999-01-01'], '--to-known-at', 'REPLAY.AS_KNOWN_AT_IN_FUTURE'],
    ['audit-trail --from 2026-02-30', ['audit-trail', '--from', '2026-02-30'], '--from', 'AUDIT.INVALID_FILTER'],
    ['export audit-trail --to 2026-13-01', ['export', 'audit-trail', '--to', '2026-13-01'], '--to', 'AUDIT.INVALID_FILTER'],
    ['replay --position 9007199254740993 (past 2^53)', ['replay', '--subject', 'S001', '--position', '9007199254740993'], '--position', 'CLI.INVALID_OPTION'],
    ['pfs diff --from-position 9007199254740993', ['pfs', 'diff', '--from-position', '9007199254740993', '--to-position', '5'], '--from-position', 'CLI.INVALID_OPTION'],
    ['pfs diff --from-cutoff 2026-02-30', ['pfs', 'diff', '--from-cutoff', '2026-02-30', '--to-cutoff', '2026-06-30'], '--from-cutoff', 'PFS_DIFF.INVALID_OPTIONS'],
    ['pfs diff --to-cutoff 2026-13-01', ['pfs', 'diff', '--from-cutoff', '2026-06-30', '--to-cutoff', '2026-13-01'], '--to-cutoff', 'PFS_DIFF.INVALID_OPTIONS'],
    ['pfs diff --from-known-at yesterday', ['pfs', 'diff', '--from-known-at', 'yesterday'], '--from-known-at', 'REPLAY.INVALID_AS_KNOWN_AT'],
    ['pfs diff --to-known-at 2026-04-31T10:00:00Z', ['pfs', 'diff', '--from-position', '5', '--to-known-at', '2026-04-31T10:00:00Z'], '--to-known-at', 'REPLAY.INVALID_AS_KNOWN_AT'],
    ['audit-trail review --data-cut 2026-02-30@…', ['audit-trail', 'review', '--data-cut', '2026-02-30@2026-07-02T08:00:00Z'], '--data-cut', 'REVIEW.INVALID_DATA_CUT'],
    ['audit-trail review --data-cut 2026-06-30@yesterday', ['audit-trail', 'review', '--data-cut', '2026-06-30@yesterday'], '--data-cut', 'AUDIT.INVALID_FILTER'],
  ])('when `%s` is given, then a usage error: exit 2 and a stable code naming the option', (_what, argv, option, code) => {
    const result = run(['--store', storeUrl, ...argv]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(option);
    expect(result.stderr).toContain(`[${code}]`);
    expect(result.stdout).toBe('');
  });

  it('with --json, the usage error is a JSON document on stdout, still exit 2', () => {
    const result = run(['--store', storeUrl, '--json', 'pfs', '--cutoff', '2026-02-30']);
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'PFS.INVALID_CUTOFF' } });
  });

  it.each([
    ['an unknown option', ['verify', '--frobnicate']],
    ['an unknown command', ['frobnicate']],
    ['a missing argument', ['import']],
  ])('when %s is given, then exit 2', (_what, argv) => {
    const result = run(['--store', storeUrl, ...argv]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/error:/);
  });

  it('`import -` reads the JSON Lines from standard input and records them as the acting user', async () => {
    const lines = [
      { command: 'ScreenSubject', studyId: STUDY, subjectId: 'S901', idempotencyKey: 'stdin-screen-S901', payload: { screeningDate: '2026-08-03', consentDate: '2026-08-03', sex: 'M', birthYear: 1958 } },
      { command: 'AssessEligibility', studyId: STUDY, subjectId: 'S901', idempotencyKey: 'stdin-elig-S901', payload: { assessmentDate: '2026-08-04', age: 68, primarySite: 'rectum', whoGrade: 1, ki67Percent: 2, diseaseStatus: 'metastatic', measurableDisease: true, priorSystemicTherapy: false, ecog: 0 } },
    ].map((l) => JSON.stringify(l)).join('\n');
    const result = run(['--store', storeUrl, '--as', 'k.lindqvist', '--json', 'import', '-'], `${lines}\n`);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ file: '<stdin>', ok: true, applied: 2, linesRead: 2 });
    const store = await openEventStore(storeUrl);
    try {
      expect((await store.readStream(`subject-${STUDY}-S901`)).map((e) => [e.type, e.metadata.source])).toEqual([
        ['SubjectScreened', 'import'],
        ['EligibilityConfirmed', 'import'],
      ]);
    } finally {
      await store.close();
    }
  });

  it('`import -` refuses a line whose free text carries an escape sequence, with the code the API gives', () => {
    const line = JSON.stringify({ command: 'ScreenSubject', studyId: STUDY, subjectId: 'S902', idempotencyKey: 'stdin-S902', payload: { screeningDate: '2026-08-03', consentDate: '2026-08-03', sex: 'F', birthYear: 1960 } });
    const bad = JSON.stringify({ command: 'RecordClinicalProgression', studyId: STUDY, subjectId: 'S001', idempotencyKey: 'stdin-prog-S001', payload: { progressionDate: '2026-08-05', basis: 'symptoms\u001b[2K' } });
    const result = run(['--store', storeUrl, '--as', 'k.lindqvist', 'import', '-'], `${line}\n${bad}\n`);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('<stdin>:2:');
    expect(result.stderr).toContain('[VALIDATION.UNPRINTABLE_CHARACTER]');
  });

  it('a subcommand --help lists the global options that apply to it', () => {
    const importHelp = run(['import', '--help']);
    expect(importHelp.status).toBe(0);
    expect(importHelp.stdout).toMatch(/Global Options:[\s\S]*--store <url>[\s\S]*--as <username>[\s\S]*--json/);
    expect(importHelp.stdout).toContain('- reads standard input');
    const verifyHelp = run(['verify', '--help']);
    expect(verifyHelp.stdout).toMatch(/Global Options:[\s\S]*--store <url>[\s\S]*--json/);
    expect(verifyHelp.stdout).not.toContain('--as <username>');
    expect(run(['users', 'add', '--help']).stdout).toContain('--as <username>');
    expect(run(['users', 'create-admin', '--help']).stdout).not.toContain('--as <username>');
  });

  it('--help states each default once, as a value and not a quoted string', () => {
    const serveHelp = run(['serve', '--help']).stdout;
    expect(serveHelp).toMatch(/\(default:\s+"127\.0\.0\.1"\)/);
    expect(serveHelp).not.toContain('loopback by default');
    const listHelp = run(['query', 'list', '--help']).stdout;
    expect(listHelp).not.toContain('(default: "1")');
    expect(listHelp).toMatch(/--page <n>[^\n]*\(default: 1;/);
  });

  it.each(['export odm', 'export adtte', 'export audit-trail', 'report', 'query open', 'query list', 'sdv'])(
    '`%s --help` lists --as: the command runs as a user and is refused without one', async (command) => {
    const help = await cli([...command.split(' '), '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Global Options:[\s\S]*--as <username>/);
  });
});
