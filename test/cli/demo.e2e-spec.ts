import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openEventStore } from '@trial-ledger/event-store';
import { cli, tempDir } from './cli-harness';

const TODAY = '2026-03-01';

interface DemoJson {
  summary: {
    seed: string;
    commands: { refused: Array<{ subjectId: string; command: string; code: string }> };
    enrollment: { screened: number; enrolled: number; target: number; screenFailures: Array<{ subjectId: string; failedCriteria: string[] }> };
    deviations: { total: number; byCategory: Record<string, number> };
    events: { total: number; byType: Record<string, number> };
    signatures: { casebooksSigned: number; recordsSigned: number; superseded: number };
    chain: { ok: boolean; eventsChecked: number };
    pfs: { n: number; events: number; censored: number; median: { estimate: number | null }; rates: Array<{ day: number; survival: number | null }> };
  };
  head: { position: number; hash: string };
  users: Array<{ username: string; role: string; password?: string }>;
}

describe('trial-ledger demo', () => {
  const dir = tempDir();
  const store = (name: string): string => `sqlite:${join(dir.path, name)}`;
  const demo = (name: string, ...argv: string[]) => cli(['--store', store(name), '--json', 'demo', '--today', TODAY, ...argv], { TRIAL_LEDGER_DEMO_PASSWORD: undefined });
  let first: DemoJson;

  beforeAll(async () => {
    const run = await demo('a.sqlite');
    if (run.status !== 0) throw new Error(`demo failed: ${run.stderr}${run.stdout}`);
    first = JSON.parse(run.stdout) as DemoJson;
  });
  afterAll(() => dir.remove());

  it('screens 31, fails 2, enrolls 28 and refuses the 29th enrollment with ENROLLMENT.CAP_REACHED', () => {
    const { enrollment, commands } = first.summary;
    expect(enrollment).toMatchObject({ screened: 31, enrolled: 28, target: 28 });
    expect(enrollment.screenFailures).toHaveLength(2);
    expect(enrollment.screenFailures.every((f) => f.failedCriteria.length > 0)).toBe(true);
    expect(commands.refused).toEqual([expect.objectContaining({ subjectId: 'S031', command: 'EnrollSubject', code: 'ENROLLMENT.CAP_REACHED' })]);
    expect(first.summary.events.byType).toMatchObject({ SubjectEnrolled: 28, SubjectAddedToRoster: 28, SubjectScreened: 31, SubjectScreenFailed: 2 });
  });

  it('records deviations, corrections, a void, a death, a withdrawal and a new therapy, and the chain verifies', () => {
    const { byType } = first.summary.events;
    // Two voids: the demo's own, and the system's withdrawal of the assessment-method-changed deviation the
    // modality correction (scan made by the baseline's method after all) leaves without ground.
    expect(byType).toMatchObject({ EntryCorrected: 4, EntryVoided: 2, SubjectDied: 1, SubjectWithdrawn: 1, NewAnticancerTherapyStarted: 1, ClinicalProgressionRecorded: 1, UserCreated: 5 });
    expect(byType.ProtocolDeviationDetected).toBeGreaterThanOrEqual(4);
    // Missed imaging is the system's (detected); the sites record the rest of the missed visit by hand.
    expect(first.summary.deviations.byCategory['missed-assessment']).toBe(byType.ProtocolDeviationDetected - 1 - first.summary.deviations.byCategory['dose-off-window'] - first.summary.deviations.byCategory['missed-dose'] - first.summary.deviations.byCategory['wrong-dose']);
    expect(first.summary.deviations.byCategory['visit-not-attended']).toBeGreaterThan(0);
    // The month-12 scans (study day 364) are the end-of-follow-up visit, in its window: none is out of window.
    expect(first.summary.deviations.byCategory['assessment-out-of-window']).toBeUndefined();
    expect(first.summary.deviations.byCategory['assessment-method-changed']).toBeUndefined();
    expect(first.summary.chain).toEqual({ ok: true, eventsChecked: first.summary.events.total, fault: null });
    expect(first.head.position).toBe(first.summary.events.total);
  });

  it('closes with Part 11 e-signatures: casebooks approved, a record reviewed, one signature superseded by a later correction', () => {
    expect(first.summary.signatures).toEqual({ casebooksSigned: 4, recordsSigned: 1, superseded: 1 });
    expect(first.summary.events.byType).toMatchObject({ CasebookSigned: 4, RecordSigned: 1 });
  });

  it('reports PFS for the 28 enrolled subjects with an estimable 12-month rate', () => {
    const { pfs } = first.summary;
    expect(pfs.n).toBe(28);
    expect(pfs.events + pfs.censored).toBe(28);
    expect(pfs.events).toBeGreaterThanOrEqual(10);
    const month12 = pfs.rates.find((r) => r.day === 365);
    expect(month12?.survival).toBeGreaterThan(0.3);
    expect(month12?.survival).toBeLessThan(0.8);
  });

  it('creates the five-role team with generated passwords, never a fixed one', () => {
    expect(first.users.map((u) => u.role).sort()).toEqual(['admin', 'coordinator', 'investigator', 'monitor', 'regulator']);
    const passwords = first.users.map((u) => u.password ?? '');
    expect(new Set(passwords).size).toBe(5);
    expect(passwords.every((p) => p.length >= 12)).toBe(true);
  });

  it('given the same seed and date, when run on a fresh store, then the summary is identical (the head hash is not)', async () => {
    const again = await demo('a.sqlite', '--fresh');
    expect(again.status).toBe(0);
    const second = JSON.parse(again.stdout) as DemoJson;
    expect(second.summary).toEqual(first.summary);
    expect(second.head.hash).not.toBe(first.head.hash);
    expect(second.users[0].password).not.toBe(first.users[0].password);
  });

  it('given another seed, then another study', async () => {
    const other = JSON.parse((await demo('b.sqlite', '--seed', '7')).stdout) as DemoJson;
    expect(other.summary.seed).toBe('7');
    expect(other.summary.enrollment.enrolled).toBe(28);
    expect(other.summary.events.byType.DoseAdministered).not.toBe(first.summary.events.byType.DoseAdministered);
  });

  it('refuses a store that already holds a ledger unless --fresh, and leaves it untouched', async () => {
    const run = await demo('a.sqlite');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('DEMO.STORE_NOT_EMPTY');
    const ledger = await openEventStore(store('a.sqlite'));
    try {
      expect((await ledger.head()).position).toBe(first.summary.events.total);
    } finally {
      await ledger.close();
    }
  });

  it('names the way out a store that holds a ledger allows: --fresh for an earlier demo, another --store for any other ledger', async () => {
    const again = JSON.parse((await demo('a.sqlite')).stdout) as { error: { code: string; message: string } };
    expect(again.error).toMatchObject({ code: 'DEMO.STORE_NOT_EMPTY', message: expect.stringContaining('--fresh') });
    const created = await cli(['--store', store('real.sqlite'), 'users', 'create-admin', '--username', 'ada', '--full-name', 'Ada Admin'], { TRIAL_LEDGER_PASSWORD: 'correct horse battery staple' });
    expect(created.status).toBe(0);
    const refused = await demo('real.sqlite');
    expect(refused.status).toBe(1);
    const { error } = JSON.parse(refused.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('DEMO.STORE_NOT_EMPTY');
    // --fresh would be refused too (DEMO.NOT_A_DEMO_STORE): it is not offered.
    expect(error.message).not.toContain('with --fresh');
    expect(error.message).toContain('another --store');
  });

  it('refuses a --today in the future and --fresh on a server store', async () => {
    const future = await cli(['--store', store('c.sqlite'), '--json', 'demo', '--today', '2999-01-01'], { TRIAL_LEDGER_DEMO_PASSWORD: undefined });
    expect(future.stdout).toContain('DEMO.TODAY_IN_FUTURE');
    expect(existsSync(join(dir.path, 'c.sqlite'))).toBe(false);
    const server = await cli(['--store', 'postgres://localhost/none', 'demo', '--fresh', '--today', TODAY]);
    expect(server.status).toBe(2);
    expect(server.stderr).toContain('DEMO.FRESH_UNSUPPORTED');
  });

  it('prints a human summary with the refusal code, the chain and the PFS figures', async () => {
    const run = await cli(['--store', store('d.sqlite'), 'demo', '--today', TODAY], { TRIAL_LEDGER_DEMO_PASSWORD: 'workshop password 2026' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('enrolled           28/28');
    expect(run.stdout).toContain('[ENROLLMENT.CAP_REACHED]');
    expect(run.stdout).toMatch(/hash chain +verified/);
    expect(run.stdout).toMatch(/PFS +n 28, \d+ events/);
    expect(run.stdout).toContain('365-day rate');
    expect(run.stdout).not.toContain('workshop password 2026');
  });
});

// `--fresh` wipes an earlier demo: its checkpoints, signed over the log it deletes, go with it, or the new
// demo's ledger reads as rewritten (`verify`: LEDGER DAMAGED, checkpoint-mismatch; `serve` does not start).
describe('trial-ledger demo --fresh after checkpoints of the earlier demo', () => {
  const dir = tempDir();
  const file = join(dir.path, 'demo.sqlite');
  const store = ['--store', `sqlite:${file}`, '--key-dir', dir.keyDir];
  afterAll(() => dir.remove());

  it('given a checkpoint of the earlier demo, when run with --fresh, then the new ledger verifies intact and its files beside it are its own', async () => {
    expect((await cli([...store, 'demo', '--today', TODAY])).status).toBe(0);
    expect((await cli([...store, 'checkpoint'])).status).toBe(0);
    expect(existsSync(join(dir.path, 'demo.checkpoints.jsonl'))).toBe(true);
    const again = await cli([...store, 'demo', '--today', TODAY, '--fresh']);
    expect(again.status).toBe(0);
    expect(existsSync(join(dir.path, 'demo.checkpoints.jsonl'))).toBe(false);
    const verified = await cli([...store, 'verify']);
    expect(verified.stdout).toContain('Ledger intact');
    expect(verified.status).toBe(0);
  }, 60_000);

  it('given a checkpoint file holding checkpoints of another log, then --fresh refuses (DEMO.NOT_A_DEMO_STORE) and deletes nothing', async () => {
    const other = join(dir.path, 'other.sqlite');
    rmSync(join(dir.path, 'demo.checkpoints.jsonl'), { force: true });
    expect((await cli(['--store', `sqlite:${other}`, '--key-dir', dir.keyDir, 'demo', '--today', TODAY, '--seed', '7'])).status).toBe(0);
    expect((await cli(['--store', `sqlite:${other}`, '--key-dir', dir.keyDir, 'checkpoint', '--out', join(dir.path, 'demo.checkpoints.jsonl')])).status).toBe(0);
    const run = await cli([...store, 'demo', '--today', TODAY, '--fresh']);
    expect(run.stderr).toContain('[DEMO.NOT_A_DEMO_STORE]');
    expect(run.status).toBe(1);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(join(dir.path, 'demo.checkpoints.jsonl'))).toBe(true);
  }, 60_000);
});
