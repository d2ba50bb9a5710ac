import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { runCli } from '../../apps/cli/src/program';
import { appendOne, STUDY_ID, subjectStream } from '../../libs/audit/src/testing/audit-ledger.fixture';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/** Headless Chromium as CI runs it; missing Chromium fails the test (the CI script installs it). */
const chromium = (dir: string, ...args: string[]): void => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it (CI does) or set CHROMIUM_BIN`);
  execFileSync(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${mkdtempSync(join(dir, 'chromium-'))}`, ...args],
    { stdio: 'pipe', timeout: 120_000 },
  );
};

/** The demo signs nothing; an investigator's approval signature is appended as the signing slice would record it. */
const signFirstCasebook = async (file: string): Promise<void> => {
  const store = new SqliteEventStore(file);
  try {
    const stream = subjectStream('S001');
    const events = await store.readStream(stream);
    const investigator = events.find((e) => e.metadata.actor.role === 'investigator')?.metadata.actor;
    if (!investigator) throw new Error('the demo recorded nothing by an investigator for S001');
    const last = events[events.length - 1];
    await appendOne(store, stream, 'CasebookSigned', {
      studyId: STUDY_ID, subjectId: 'S001', signerUserId: investigator.userId, signerUsername: investigator.username, signerFullName: investigator.fullName,
      signedAt: new Date().toISOString(), meaning: 'approval', signedThroughVersion: last.streamVersion, signedEventHash: last.hash,
      signedHash: createHash('sha256').update(last.hash).digest('hex'), hashAlgorithm: 'SHA-256',
    }, investigator);
  } finally {
    await store.close();
  }
};

const quiet = async (argv: string[]): Promise<number> => {
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const previous = process.exitCode;
  process.exitCode = undefined;
  try {
    return await runCli(argv);
  } finally {
    process.exitCode = previous;
    out.mockRestore();
    err.mockRestore();
  }
};

describe('trial-ledger report (printable HTML, rendered by headless Chromium)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-report-'));
  const store = `sqlite:${join(dir, 'ledger.sqlite')}`;
  const html = join(dir, 'report.html');
  let page: string;

  beforeAll(async () => {
    process.env.TRIAL_LEDGER_DEMO_PASSWORD = 'demo passphrase for the report test';
    expect(await quiet(['--store', store, 'demo'])).toBe(0);
    await signFirstCasebook(join(dir, 'ledger.sqlite'));
    expect(await quiet(['--store', store, 'checkpoint'])).toBe(0);
    // The report is an export: run as the study's monitor (own password chosen first), recorded as DataExported.
    process.env.TRIAL_LEDGER_PASSWORD = process.env.TRIAL_LEDGER_DEMO_PASSWORD;
    process.env.TRIAL_LEDGER_NEW_PASSWORD = 'the monitor chose this passphrase';
    expect(await quiet(['--store', store, '--as', 'm.rossi', 'users', 'change-password'])).toBe(0);
    process.env.TRIAL_LEDGER_PASSWORD = process.env.TRIAL_LEDGER_NEW_PASSWORD;
    expect(await quiet(['--store', store, '--as', 'm.rossi', 'report', '--out', html])).toBe(0);
    page = readFileSync(html, 'utf8');
  }, 300_000);
  afterAll(() => {
    delete process.env.TRIAL_LEDGER_DEMO_PASSWORD;
    delete process.env.TRIAL_LEDGER_PASSWORD;
    delete process.env.TRIAL_LEDGER_NEW_PASSWORD;
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds the verification result, the overview, the KM curve and a casebook per subject with print CSS', () => {
    expect(page).toContain('INTACT —');
    expect(page).toMatch(/1 signed checkpoint\(s\) matched/);
    expect(page).toContain('Study overview');
    expect(page).toMatch(/<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(page).toContain('@media print');
    expect(page).toMatch(/\.subject \{ break-before: page;/);
    expect((page.match(/<section class="subject"/g) ?? []).length).toBeGreaterThanOrEqual(28);
    expect(page).toContain('Corrections and voids');
    expect(page).not.toMatch(/\$scrypt\$/);
  });

  it('shows signature manifestations (printed name, date-time, meaning) and correction reasons', () => {
    expect(page).toMatch(/<div class="signature"><div><strong>[^<]+<\/strong> \([^)]+, investigator\)<\/div>\s*<div>Signed \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC — meaning: <strong>(authorship|review|approval|responsibility)<\/strong>/);
    expect(page).toMatch(/<td>[^<]*<\/td><td>[^<]+<\/td><td>[^<]+<\/td><td>[^<]*<\/td><td>[^<]*<\/td><td>[^<]{5,}<\/td><\/tr>/);
  });

  it('renders in headless Chromium to a screenshot and a multi-page PDF', () => {
    const png = join(dir, 'report.png');
    const pdf = join(dir, 'report.pdf');
    chromium(dir, `--screenshot=${png}`, '--window-size=1280,2400', `file://${html}`);
    chromium(dir, `--print-to-pdf=${pdf}`, '--no-pdf-header-footer', `file://${html}`);
    expect(statSync(png).size).toBeGreaterThan(50_000);
    const bytes = readFileSync(pdf);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pages = (bytes.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    expect(pages).toBeGreaterThanOrEqual(29);
    if (process.env.AUDIT_REPORT_KEEP) execFileSync('cp', [png, pdf, html, process.env.AUDIT_REPORT_KEEP]);
  }, 240_000);
});
