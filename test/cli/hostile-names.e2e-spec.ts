import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { IDENTITY_STREAM_ID } from '@trial-ledger/domain';
import { openEventStore, type StoredEvent } from '@trial-ledger/event-store';
import { PASSWORD, seedUsers, tempDir } from './cli-harness';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/trial-ledger.js');

/** Names that are properties of every plain object: ordinary data to the ledger (#11). */
const HOSTILE = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype'] as const;

interface Exit {
  readonly status: number;
  /** The `--json` answer: the command's result, or `{ error: { code, message } }`. */
  readonly json: { error?: { code?: string } } & Record<string, unknown>;
  readonly stderr: string;
}

const parseAnswer = (stdout: string): Exit['json'] => {
  try {
    return JSON.parse(stdout) as Exit['json'];
  } catch {
    return { error: { code: `unparsed stdout: ${stdout}` } };
  }
};

/** The built CLI as a separate process, as a user runs it (`npm run build` first). */
describe('CLI as a process: every command that takes a name or an id, with hostile names (#11)', () => {
  let dir: { path: string; remove(): void };
  let store: string;

  const cli = async (argv: readonly string[], password = PASSWORD): Promise<Exit> => {
    const env = { ...process.env, TRIAL_LEDGER_PASSWORD: password, TRIAL_LEDGER_NEW_PASSWORD: 'a new hostile passphrase 1' };
    try {
      const { stdout, stderr } = await run(process.execPath, [BIN, '--store', store, '--json', ...argv], { env, timeout: 60_000 });
      return { status: 0, json: JSON.parse(stdout || '{}'), stderr };
    } catch (failure) {
      const f = failure as { code?: number; stdout?: string; stderr?: string };
      return { status: typeof f.code === 'number' ? f.code : -1, json: parseAnswer(f.stdout ?? ''), stderr: f.stderr ?? '' };
    }
  };

  const eventsAfter = async (position: number): Promise<StoredEvent[]> => {
    const s = await openEventStore(store);
    try {
      const events: StoredEvent[] = [];
      for await (const event of s.readAll({ afterPosition: position })) events.push(event);
      return events;
    } finally {
      await s.close();
    }
  };
  const head = async (): Promise<number> => {
    const s = await openEventStore(store);
    try {
      return (await s.head()).position;
    } finally {
      await s.close();
    }
  };

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/apps/cli/src/main.js'))) throw new Error('build the CLI first: npm run build');
    dir = tempDir();
    store = `sqlite:${join(dir.path, 'ledger.sqlite')}`;
    await seedUsers(store);
    // The seed study, so that an import line naming it can be applied.
    expect((await cli(['--as', 'admin', 'study', 'register'])).status).toBe(0);
  });
  afterAll(() => dir.remove());

  /** A refusal the CLI names with a stable code; never an internal error. */
  const expectCodedRefusal = (exit: Exit, code: string | RegExp): void => {
    expect(exit.status).not.toBe(0);
    expect(exit.json.error?.code).toMatch(code);
    expect(exit.json.error?.code).not.toBe('INTERNAL.ERROR');
  };

  it.each(HOSTILE)('--as %j and change-password --as it: refused as invalid credentials, and each attempt recorded', async (name) => {
    const before = await head();
    expectCodedRefusal(await cli(['--as', name, 'users', 'list']), /^AUTH\.INVALID_CREDENTIALS$/);
    expectCodedRefusal(await cli(['--as', name, 'users', 'change-password']), /^AUTH\.INVALID_CREDENTIALS$/);
    const written = await eventsAfter(before);
    expect(written.map((e) => [e.streamId, e.type, e.data.attemptedUsername, e.data.reason])).toEqual([
      [IDENTITY_STREAM_ID, 'LoginFailed', expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/), 'unknown-user'],
      [IDENTITY_STREAM_ID, 'LoginFailed', expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/), 'unknown-user'],
    ]);
  });

  it.each(HOSTILE)('users deactivate/reactivate/set-role/reset-password %j of nobody: USER_NOT_FOUND, nothing but the admin login written', async (name) => {
    const before = await head();
    for (const argv of [['users', 'deactivate', name], ['users', 'reactivate', name], ['users', 'set-role', name, 'admin'], ['users', 'reset-password', name]]) {
      expectCodedRefusal(await cli(['--as', 'admin', ...argv]), /^IDENTITY\.USER_NOT_FOUND$/);
    }
    // Each run authenticates the administrator (LoginSucceeded, purpose cli); nothing else is written.
    expect((await eventsAfter(before)).map((e) => e.type)).toEqual(['LoginSucceeded', 'LoginSucceeded', 'LoginSucceeded', 'LoginSucceeded']);
  });

  it.each([['a zero-width space', 'Test coordinator\u200b'], ['a right-to-left mark', 'Test\u200f coordinator']])(
    'users add --full-name with %s beside visible characters: IDENTITY.FULL_NAME_INVALID, no user (it would print as another user’s name)',
    async (_what, fullName) => {
      const before = await head();
      const added = await cli(['--as', 'admin', 'users', 'add', '--username', 'lookalike', '--full-name', fullName, '--role', 'coordinator']);
      expectCodedRefusal(added, /^IDENTITY\.FULL_NAME_INVALID$/);
      expect((await eventsAfter(before)).map((e) => e.type)).toEqual(['LoginSucceeded']);
    },
  );

  it.each(HOSTILE)('users add --username %j: created as ordinary data, or refused with IDENTITY.USERNAME_INVALID', async (name) => {
    const before = await head();
    const added = await cli(['--as', 'admin', 'users', 'add', '--username', name, '--full-name', `Hostile Name ${name}`, '--role', 'coordinator']);
    const written = (await eventsAfter(before)).map((e) => [e.type, e.data.username]);
    if (name === '__proto__') {
      expectCodedRefusal(added, /^IDENTITY\.USERNAME_INVALID$/);
      // A wrong command line, refused before the administrator signs in: nothing is written.
      expect(written).toEqual([]);
      return;
    }
    expect([added.status, (added.json.user as { username?: string })?.username]).toEqual([0, name.toLowerCase()]);
    expect(written).toEqual([['LoginSucceeded', 'admin'], ['UserCreated', name.toLowerCase()]]);
    const promoted = await cli(['--as', 'admin', 'users', 'set-role', name, 'investigator']);
    expect([promoted.status, (promoted.json.user as { role?: string })?.role]).toEqual([0, 'investigator']);
    // The administrator-chosen password is temporary: the account can do nothing but change it.
    const asThem = await cli(['--as', name, 'users', 'list'], 'a new hostile passphrase 1');
    expectCodedRefusal(asThem, /^AUTH\.PASSWORD_CHANGE_REQUIRED$/);
  });

  it.each(HOSTILE)('study, audit-trail, replay and pfs with study/subject/user %j: answered or refused with a code, nothing written', async (name) => {
    const runs: Array<[string, Exit]> = [];
    const before = await head();
    for (const argv of [
      ['study', 'show', '--study', name],
      ['--as', 'admin', 'study', 'lock', '--study', name, '--reason', 'hostile name'],
      ['audit-trail', '--study', name, '--subject', name, '--user', name],
      ['replay', '--study', name, '--subject', name],
      ['pfs', '--study', name],
    ]) {
      runs.push([argv.join(' '), await cli(argv)]);
    }
    const internal = runs.filter(([, exit]) => exit.status !== 0 && (!exit.json.error?.code || exit.json.error.code === 'INTERNAL.ERROR' || /unparsed/.test(exit.json.error.code)));
    expect(internal.map(([argv, exit]) => `${argv}: ${exit.status} ${JSON.stringify(exit.json)} ${exit.stderr}`)).toEqual([]);
    // Only the admin's authentication (and the lock, if refused by role) is recorded; the reads take no --as.
    const written = await eventsAfter(before);
    expect(written.filter((e) => !['LoginSucceeded', 'AuthorizationRefused'].includes(e.type)).map((e) => e.type)).toEqual([]);
  });

  it.each(HOSTILE)('import lines naming study or subject %j, or carrying it as a payload key: applied as ordinary ids or refused with a code', async (name) => {
    const file = join(dir.path, `hostile-${HOSTILE.indexOf(name)}.jsonl`);
    const screen = { screeningDate: '2026-03-02', consentDate: '2026-03-01', sex: 'F', birthYear: 1961 };
    const lines = [
      { command: 'ScreenSubject', studyId: 'LANR-HGNET-01', subjectId: name, payload: screen, idempotencyKey: `hostile-screen-${HOSTILE.indexOf(name)}` },
      { command: 'ScreenSubject', studyId: name, subjectId: 'S001', payload: screen, idempotencyKey: `hostile-study-${HOSTILE.indexOf(name)}` },
    ];
    const runs: Exit[] = [];
    for (const line of lines) {
      writeFileSync(file, `${JSON.stringify(line)}\n`);
      runs.push(await cli(['--as', 'coordinator', 'import', file]));
    }
    // A payload key is refused like any unknown field (JSON.parse makes `__proto__` an own key).
    writeFileSync(file, `{"command":"ScreenSubject","studyId":"LANR-HGNET-01","subjectId":"S777","idempotencyKey":"hostile-key-${HOSTILE.indexOf(name)}","payload":{"screeningDate":"2026-03-02","consentDate":"2026-03-01","sex":"F","birthYear":1961,"${name}":1}}\n`);
    runs.push(await cli(['--as', 'coordinator', 'import', file]));
    const codes = runs.map((r) => (r.status === 0 ? 'applied' : r.json.failure ? (r.json.failure as { code: string }).code : r.json.error?.code));
    expect(codes.filter((c) => c === undefined || c === 'INTERNAL.ERROR')).toEqual([]);
    expect(codes).toEqual([name === '__proto__' ? expect.stringMatching(/^VALIDATION\./) : 'applied', expect.stringMatching(/^STUDY\./), 'VALIDATION.UNKNOWN_FIELD']);
  });
});
