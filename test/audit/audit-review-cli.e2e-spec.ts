import { join } from 'node:path';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { cli, tempDir } from '../cli/cli-harness';
import { buildReviewScenario, DATA_CUT, type ReviewScenario } from './support/review-scenario';

describe('trial-ledger audit-trail review (CLI, as a monitor runs it)', () => {
  const dir = tempDir();
  const file = join(dir.path, 'ledger.sqlite');
  const store = ['--store', `sqlite:${file}`];
  const cut = `${DATA_CUT.cutoff}@${DATA_CUT.analysedAt}`;
  // The auditor's own copies: the signed checkpoint and the ledger key that signed it.
  const anchor = ['--checkpoints', join(dir.path, 'ledger.checkpoints.jsonl'), '--public-key', join(dir.path, 'ledger.key.pem')];
  let scenario: ReviewScenario;

  beforeAll(async () => {
    const clock = new FixedClock('2026-01-01T00:00:00.000Z');
    const sqlite = new SqliteEventStore(file, { clock });
    scenario = await buildReviewScenario(sqlite, clock, dir.path, true);
    await sqlite.close();
  });
  afterAll(() => dir.remove());

  it('--json prints every indicator with its findings; a signed checkpoint under the given key anchors the trail; exit status 0', async () => {
    const run = await cli([...store, '--json', 'audit-trail', 'review', '--data-cut', cut, ...anchor]);

    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.verdict).toBe('13 findings in 13 of 14 indicators.');
    const integrity = doc.indicators.find((i: { id: string }) => i.id === 'trail-integrity');
    expect(integrity.findings).toEqual([]);
    const burst = doc.indicators.find((i: { id: string }) => i.id === 'burst');
    expect(burst.findings[0].eventIds).toEqual((scenario.triggers.burst ?? []).map((e) => e.eventId));
  });

  it('prints a table per indicator and the per-user and per-subject tables', async () => {
    const run = await cli([...store, 'audit-trail', 'review', '--data-cut', cut, '--from', '2026-04-01', ...anchor]);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Entry lag (entry-lag): 1 finding');
    expect(run.stdout).toContain('Trail integrity (trail-integrity): 0 findings');
    expect(run.stdout).toMatch(/Recorded\s+Subject\s+User\s+Finding\s+Positions\s+Events/);
    expect(run.stdout).toContain(`${(scenario.triggers['off-hours'] ?? [])[0].eventId}`);
    expect(run.stdout).toMatch(/Cora Coordinator \(cora\)\s+coordinator\s+10\s+1\s+1/);
    expect(run.stdout).toContain('Per subject:');
  });

  it('a window without events gives no finding but the trail verdict', async () => {
    const run = await cli([...store, '--json', 'audit-trail', 'review', '--from', '2027-01-01', ...anchor]);

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).verdict).toBe('No findings: no indicator fired.');
  });

  it.each([
    ['a malformed data cut', ['--data-cut', '2026-04-12'], 'CLI.INVALID_OPTION', 2],
    ['the trail\'s --subject filter', ['--subject', 'S001'], 'CLI.INVALID_OPTION', 2],
    ['a malformed instant', ['--from', 'last tuesday'], 'AUDIT.INVALID_FILTER', 2],
    ['a window whose --from lies after its --to', ['--from', '2026-05-01', '--to', '2026-04-01'], 'AUDIT.INVALID_FILTER', 2],
    ['an impossible cutoff', ['--data-cut', '2026-02-30@2026-04-13T12:00:00Z'], 'REVIEW.INVALID_DATA_CUT', 2],
    ['an analysis instant still to come', ['--data-cut', '2026-04-12@2100-01-01T00:00:00Z'], 'REVIEW.DATA_CUT_IN_FUTURE', 2],
    ['an unknown study', ['--study', 'constructor'], 'STUDY.NOT_FOUND', 1],
  ])('refuses %s with a stable code', async (_name, args, code, status) => {
    const run = await cli([...store, '--json', 'audit-trail', 'review', ...args]);

    expect(run.status).toBe(status);
    expect(JSON.parse(run.stdout).error.code).toBe(code);
  });

  it('the plain audit trail still answers with its own filters', async () => {
    const run = await cli([...store, '--json', 'audit-trail', '--subject', 'S001', '--type', 'EntryCorrected']);

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveLength(1);
  });
});
