import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cli, PASSWORD, seededAuditStore } from './cli-harness';

const { dir, store, keyDir, headPosition, seed } = seededAuditStore();

beforeAll(async () => {
  await seed();
});
afterAll(() => dir.remove());

describe('an option given twice with two values is a usage error, never "the last one wins"', () => {
  it('given export audit-trail --subject S001 --subject S002, then CLI.OPTION_REPEATED, exit 2, no file and no DataExported', async () => {
    const out = join(dir.path, 'two-subjects.csv');
    const before = await headPosition();
    const result = await cli(
      ['--store', store, '--key-dir', keyDir, '--as', 'monitor', 'export', 'audit-trail', '--format', 'csv', '--subject', 'S001', '--subject', 'S002', '--out', out],
      { TRIAL_LEDGER_PASSWORD: PASSWORD },
    );
    expect(result.stderr).toContain('--subject');
    expect(result.stderr).toContain('[CLI.OPTION_REPEATED]');
    expect(result.status).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(await headPosition()).toBe(before);
  });

  it.each([
    ['pfs --cutoff twice', ['pfs', '--cutoff', '2026-06-01', '--cutoff', '2026-01-01'], '--cutoff'],
    ['audit-trail --user twice', ['audit-trail', '--user', 'investigator', '--user=coordinator'], '--user'],
    ['replay --subject twice', ['replay', '--subject', 'S001', '--subject', 'S002'], '--subject'],
    ['--store twice, around the command', ['verify', '--store', `sqlite:${join(dir.path, 'other.sqlite')}`], '--store'],
  ])('given %s with two values, then CLI.OPTION_REPEATED naming the option, exit 2', async (_what, argv, option) => {
    const result = await cli(['--store', store, ...argv]);
    expect(result.stderr).toContain(option);
    expect(result.stderr).toContain('[CLI.OPTION_REPEATED]');
    expect(result.status).toBe(2);
    expect(existsSync(join(dir.path, 'other.sqlite'))).toBe(false);
  });

  it('given the same value twice, then it is one value and the command runs', async () => {
    const result = await cli(['--store', store, '--json', 'audit-trail', '--subject', 'S001', '--subject', 'S001']);
    expect(result.status).toBe(0);
  });

  it('given checkpoint --copy-to twice (a repeatable option), then both copies are written', async () => {
    const copies = [join(dir.path, 'copy-a.jsonl'), join(dir.path, 'copy-b.jsonl')];
    const result = await cli(['--store', store, '--key-dir', keyDir, 'checkpoint', '--copy-to', copies[0], '--copy-to', copies[1]]);
    expect(result.stderr).not.toContain('OPTION_REPEATED');
    expect(result.status).toBe(0);
    expect(copies.map((c) => existsSync(c))).toEqual([true, true]);
  });
});
