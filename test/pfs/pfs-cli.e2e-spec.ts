import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convert } from 'xmlbuilder2';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { cli, PASSWORD, seedUsers, tempDir } from '../cli/cli-harness';
import { INTERIM, STUDY, buildPfsScenario } from './support/pfs-scenario';

describe('trial-ledger pfs, export adtte and replay (CLI, as a user runs them)', () => {
  const dir = tempDir();
  const file = join(dir.path, 'ledger.sqlite');
  const store = ['--store', `sqlite:${file}`];

  beforeAll(async () => {
    const clock = new FixedClock('2026-01-01T00:00:00.000Z');
    const ledger = new SqliteEventStore(file, { clock });
    await buildPfsScenario(ledger, clock);
    await ledger.close();
    // Exports run as a user (and are recorded): the accounts come after the study's history.
    await seedUsers(`sqlite:${file}`);
  });
  afterAll(() => dir.remove());

  it('pfs --json prints the appendix B document', async () => {
    const run = await cli([...store, 'pfs', '--json']);
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(Object.keys(doc)).toEqual(['studyId', 'horizonDays', 'cutoff', 'asKnownAt', 'subjects', 'summary', 'km', 'median', 'rates']);
    expect(doc).toMatchObject({ studyId: STUDY, summary: { n: 8, events: 4, censored: 4 }, median: { estimate: 169, lower: 85, upper: null } });
  });

  it('pfs prints a readable table with the median, its CI and the landmark rates', async () => {
    const run = await cli([...store, 'pfs']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Subjects 8   Events 4   Censored 4');
    // Read at the head, the header says so in the words replay uses.
    expect(run.stdout).toMatch(/; as known now \(log position \d+\)/);
    // "95 % CI" and "42.9 %", as the report, the viewer and the README write them.
    expect(run.stdout).toContain('Median PFS: 169 days (95 % CI 85–NR)');
    expect(run.stdout).toContain('PFS rate at day 182: 42.9 % (95 % CI 5.8 %–77.7 %)');
    expect(run.stdout).toContain('PFS rate at day 365: NE');
    expect(run.stdout).toMatch(/S004\s+2026-01-26\s+2026-01-26\s+1\s+1\s+NO BASELINE TUMOR ASSESSMENT/);
  });

  it('pfs diff writes the CIs and rates as pfs does (95 % CI, 42.9 %)', async () => {
    const run = await cli([...store, 'pfs', 'diff', '--from-known-at', INTERIM]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Median PFS: .* \(95 % CI [^)]*\) → 169 days \(95 % CI 85–NR\)/);
    expect(run.stdout).toMatch(/PFS rate at day 182: .* → 42\.9 % \(95 % CI 5\.8 %–77\.7 %\)/);
    expect(run.stdout).not.toMatch(/95% CI|\d%/);
  });

  it('pfs --as-known-at and --cutoff replay the analysis; --plot writes the SVG', async () => {
    const svg = join(dir.path, 'plots', 'km.svg');
    const run = await cli([...store, 'pfs', '--json', '--as-known-at', INTERIM, '--cutoff', '2026-12-31', '--plot', svg]);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ asKnownAt: INTERIM, cutoff: '2026-12-31', summary: { events: 3 } });
    const parsed = convert(readFileSync(svg, 'utf8'), { format: 'object' }) as { svg: Record<string, unknown> };
    expect(parsed.svg['@xmlns']).toBe('http://www.w3.org/2000/svg');
  });

  it('pfs with a malformed cutoff is a usage error: a stable code and exit 2', async () => {
    const run = await cli([...store, 'pfs', '--cutoff', '31/12/2026']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('[PFS.INVALID_CUTOFF]');
  });

  it('export adtte --out writes the CSV and its data dictionary beside it', async () => {
    const out = join(dir.path, 'adam', 'adtte.csv');
    const run = await cli([...store, '--as', 'investigator', 'export', 'adtte', '--out', out], { TRIAL_LEDGER_PASSWORD: PASSWORD });
    expect(run.status).toBe(0);
    const csv = readFileSync(out, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('STUDYID,USUBJID,SUBJID,PARAMCD,PARAM,STARTDT,ADT,AVAL,AVALU,CNSR,EVNTDESC,CNSDTDSC,SRCDOM,SRCVAR,SRCSEQ,SRCEVID');
    expect(csv).toHaveLength(9);
    expect(run.stdout).toContain('ADTTE: 8 subjects →');
    const define = join(dir.path, 'adam', 'adtte.define.md');
    expect(existsSync(define)).toBe(true);
    expect(readFileSync(define, 'utf8')).toContain('## Censoring codes (CNSR)');
  });

  it('replay --subject --as-known-at shows the casebook before a later correction; now, with it', async () => {
    const before = await cli([...store, 'replay', '--subject', 'S008', '--as-known-at', INTERIM, '--json']);
    expect(before.status).toBe(0);
    expect(JSON.parse(before.stdout).casebook.assessments.map((a: { overallResponse: string | null }) => a.overallResponse)).toEqual([null, 'SD', 'SD']);
    const now = await cli([...store, 'replay', '--subject', 'S008']);
    expect(now.status).toBe(0);
    expect(now.stdout).toContain('SOD 61 mm: PD (target PD) [corrected]');
    expect(now.stdout).toContain('"central radiology review"');
  });

  it('replay without --subject shows the study overview; an unknown subject is refused', async () => {
    const overview = await cli([...store, 'replay', '--position', '5']);
    expect(overview.status).toBe(0);
    expect(overview.stdout).toContain('— as of position 5');
    const unknown = await cli([...store, 'replay', '--subject', 'S999', '--json']);
    expect(unknown.status).not.toBe(0);
    expect(JSON.parse(unknown.stdout).error.code).toBe('SUBJECT.NOT_FOUND');
    const bad = await cli([...store, 'replay', '--subject', 'S001', '--position', 'x']);
    expect(bad.status).toBe(2);
  });
});
