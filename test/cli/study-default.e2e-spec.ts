import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDefaultProtocol, type ProtocolDocument } from '@trial-ledger/domain';
import { registerStoreFactory, SqliteEventStore } from '@trial-ledger/event-store';
import { cli, PASSWORD, seedUsers, tempDir } from './cli-harness';

/** A study of another protocol than the seed's: the only one this ledger holds. */
const OTHER = 'NET-B-02';
const otherProtocol = (): ProtocolDocument => {
  const seed = loadDefaultProtocol();
  return {
    ...seed,
    studyId: OTHER,
    title: 'Lanreotide in small-bowel NET',
    targetEnrollment: 3,
    treatment: { ...seed.treatment, doseMg: 90, route: 'other', intervalDays: 21, windowDays: 2 },
    assessments: { ...seed.assessments, intervalDays: 56, windowDays: 5 },
    endpoint: { ...seed.endpoint, horizonDays: 730, rateDays: [90, 180] },
  };
};

describe('commands without --study on a ledger of another study than the seed protocol', () => {
  const dir = tempDir();
  const store = `sqlite:${join(dir.path, 'ledger.sqlite')}`;
  const run = (args: readonly string[], as?: string) => cli(['--store', store, ...(as ? ['--as', as] : []), ...args], { TRIAL_LEDGER_PASSWORD: PASSWORD });

  beforeAll(async () => {
    await seedUsers(store);
    const file = join(dir.path, 'protocol.json');
    writeFileSync(file, JSON.stringify(otherProtocol()));
    expect((await run(['study', 'register', '--protocol', file], 'admin')).status).toBe(0);
    const screen = { command: 'ScreenSubject', studyId: OTHER, subjectId: 'S001', idempotencyKey: 'k-screen', payload: { screeningDate: '2025-01-02', consentDate: '2025-01-02', sex: 'F', birthYear: 1961 } };
    writeFileSync(join(dir.path, 'in.jsonl'), `${JSON.stringify(screen)}\n`);
    expect((await run(['import', join(dir.path, 'in.jsonl')], 'investigator')).status).toBe(0);
  });
  afterAll(() => dir.remove());

  it('given only that study, when study show, replay, pfs, export adtte and query list name no study, then each reads that study', async () => {
    const show = await run(['--json', 'study', 'show']);
    const replay = await run(['--json', 'replay', '--subject', 'S001']);
    const pfs = await run(['--json', 'pfs']);
    const adtte = await run(['export', 'adtte', '--out', join(dir.path, 'adtte.csv')], 'monitor');
    const queries = await run(['--json', 'query', 'list'], 'monitor');

    expect([show, replay, pfs, adtte, queries].map((r) => [r.status, r.stderr])).toEqual(Array.from({ length: 5 }, () => [0, '']));
    expect(JSON.parse(show.stdout)).toMatchObject({ studyId: OTHER, protocolVersion: 1 });
    expect(JSON.parse(replay.stdout).casebook).toMatchObject({ studyId: OTHER, subjectId: 'S001' });
    expect(JSON.parse(pfs.stdout)).toMatchObject({ studyId: OTHER, horizonDays: 730 });
  });

  it('given no --study, when a command picks the default study, then it opens the store once', async () => {
    // A store scheme of this test's own: the same SQLite file, every open counted.
    let opens = 0;
    registerStoreFactory(['counted'], async (url, options) => {
      opens += 1;
      return new SqliteEventStore(url.slice('counted:'.length), options);
    });
    const counted = `counted:${join(dir.path, 'ledger.sqlite')}`;
    const commands: [string[], string?][] = [
      [['study', 'show']],
      [['replay', '--subject', 'S001']],
      [['replay']],
      [['pfs']],
      // A first side is required (without one, pfs diff is a usage error before the store is opened).
      [['pfs', 'diff', '--from-position', '1']],
      [['export', 'adtte', '--out', join(dir.path, 'adtte-counted.csv')], 'monitor'],
      [['query', 'list'], 'monitor'],
      [['query', 'show', '0190a3f000007000800000000000000a'], 'monitor'],
      [['sdv', '--subject', 'S001', '--event', '0190a3f0-0000-7000-8000-000000000000'], 'monitor'],
      [['study', 'unlock', '--reason', 'nothing to unlock'], 'admin'],
    ];
    const counts: Record<string, number> = {};
    for (const [args, as] of commands) {
      opens = 0;
      await cli(['--store', counted, ...(as ? ['--as', as] : []), ...args], { TRIAL_LEDGER_PASSWORD: PASSWORD });
      counts[args.slice(0, 2).join(' ')] = opens;
    }
    expect(counts).toEqual(Object.fromEntries(commands.map(([args]) => [args.slice(0, 2).join(' '), 1])));
  });

  it('given only that study, when it is locked naming no study, then that study is locked', async () => {
    const lock = await run(['--json', 'study', 'lock', '--reason', 'Database lock for the interim analysis'], 'admin');

    expect([lock.status, lock.stderr]).toEqual([0, '']);
    expect(JSON.parse((await run(['--json', 'study', 'show'])).stdout)).toMatchObject({ studyId: OTHER, locked: true });
  });
});
