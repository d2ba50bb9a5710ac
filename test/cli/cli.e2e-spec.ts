import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openEventStore } from '@trial-ledger/event-store';
import { buildProgram } from '../../apps/cli/src/program';
import { CLI_ACCESS, cliCommandNames } from '../../scripts/authorization-matrix';
import { cli, PASSWORD, seedUsers, tempDir } from './cli-harness';

describe('trial-ledger (program)', () => {
  it('--help lists the commands and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.status).toBe(0);
    for (const command of ['serve', 'study', 'import', 'demo', 'migrate']) expect(run.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('--help names the key directory as it is found: --key-dir, $TRIAL_LEDGER_KEY_DIR, else $XDG_CONFIG_HOME/trial-ledger or ~/.config/trial-ledger', async () => {
    const run = await cli(['verify', '--help']);
    expect(run.stdout.replace(/\s+/g, ' ')).toContain('(default: $TRIAL_LEDGER_KEY_DIR, else $XDG_CONFIG_HOME/trial-ledger or ~/.config/trial-ledger)');
  });

  it('every command\'s --help writes a default one way, "(default: …)", as commander writes the ones it fills in', () => {
    const all = (cmd: ReturnType<typeof buildProgram>): ReturnType<typeof buildProgram>[] => [cmd, ...cmd.commands.flatMap(all)];
    const offenders = all(buildProgram()).flatMap((cmd) =>
      cmd.options.filter((o) => /\(default [^:]/.test(o.description)).map((o) => `${cmd.name()} ${o.long ?? o.flags}: ${o.description}`),
    );
    expect(offenders).toEqual([]);
  });

  it.each([['replay'], ['pfs'], ['export', 'adtte']])('%s --as-known-at with today\'s date is refused as still to come, saying a bare date is the end of that UTC day and what to give instead', async (...command) => {
    const today = new Date().toISOString().slice(0, 10);
    const run = await cli([...command, '--as-known-at', today, '--json']);
    expect(run.status).toBe(2);
    const { error } = JSON.parse(run.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('REPLAY.AS_KNOWN_AT_IN_FUTURE');
    expect(error.message).toContain(`a bare date means the end of that UTC day, ${today}T23:59:59.999Z`);
    expect(error.message).toContain('give an instant');
  });

  it('every --…known-at option\'s help says what a bare date means, as replay\'s does', () => {
    const all = (cmd: ReturnType<typeof buildProgram>): ReturnType<typeof buildProgram>[] => [cmd, ...cmd.commands.flatMap(all)];
    const silent = all(buildProgram()).flatMap((cmd) =>
      cmd.options.filter((o) => o.long?.endsWith('known-at') && !o.description.includes('a bare date means the end of that UTC day')).map((o) => `${cmd.name()} ${o.long}`),
    );
    expect(silent).toEqual([]);
  });

  it('study --help lists register, amend, lock, unlock and show', async () => {
    const run = await cli(['study', '--help']);
    expect(run.status).toBe(0);
    for (const sub of ['register', 'amend', 'lock', 'unlock', 'show']) expect(run.stdout).toMatch(new RegExp(`^  ${sub}\\b`, 'm'));
  });

  it.each([
    [['pfs', 'diff'], ['--plot', '--force', '--as-known-at']],
    [['audit-trail', 'review'], ['--subject', '--user', '--type']],
  ])('%j --help lists as global options only those of the program, not its parent command\'s, which it refuses', async (path, parentOnly) => {
    const run = await cli([...path, '--help']);
    expect(run.status).toBe(0);
    const globalSection = run.stdout.slice(run.stdout.indexOf('Global Options:'));
    expect(globalSection).toContain('--store <url>');
    for (const option of parentOnly) expect(run.stdout).not.toContain(`${option} `);
    // One --study, one --from: the command's own.
    expect(run.stdout.match(/^ {2}--study /gm)).toHaveLength(1);
  });

  it.each([
    ['postgress://ledger@localhost/trial', 'postgress'],
    ['ledger.sqlite', 'sqlite:ledger.sqlite'],
  ])('a --store URL %j with no store scheme is STORE.INVALID_URL, a wrong command line: exit 2, saying how to write it', async (url, hint) => {
    const run = await cli(['verify', '--store', url, '--json']);
    expect(run.status).toBe(2);
    const { error } = JSON.parse(run.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('STORE.INVALID_URL');
    expect(error.message).toContain(hint);
    expect(error.message).toContain('sqlite:FILE');
    expect(existsSync(url)).toBe(false);
  });

  it.each([
    [['verify', '--frobnicate'], 'CLI.UNKNOWN_OPTION', "unknown option '--frobnicate'"],
    [['replay', '--subjet', 'S001'], 'CLI.UNKNOWN_OPTION', 'Did you mean --subject?'],
    [['verfy'], 'CLI.UNKNOWN_COMMAND', 'Did you mean verify?'],
    [['users', 'ad'], 'CLI.UNKNOWN_COMMAND', 'Did you mean add?'],
    [['replay', '--subject'], 'CLI.OPTION_ARGUMENT_MISSING', "'--subject <subjectId>' argument missing"],
    [['users', 'set-role', 'ivy'], 'CLI.ARGUMENT_MISSING', "missing required argument 'role'"],
    [['verify', 'extra'], 'CLI.EXCESS_ARGUMENTS', 'too many arguments'],
    [['export', 'audit-trail', '--out', '-'], 'CLI.OPTION_REQUIRED', "required option '--format <format>' not specified"],
  ])('%j, a usage error found by the parser, names its stable code: exit 2, [code] on stderr, a JSON error with --json', async (argv, code, words) => {
    const human = await cli(argv);
    expect(human.status).toBe(2);
    expect(human.stderr.split('\n')[0]).toMatch(new RegExp(`^error: .*\\[${code.replace('.', '\\.')}\\]$`));
    expect(human.stderr).toContain(words);
    const json = await cli(['--json', ...argv]);
    expect(json.status).toBe(2);
    const { error } = JSON.parse(json.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe(code);
    expect(error.message).toContain(words);
    expect(error.message).not.toContain('[CLI.');
  });

  it('help naming no command (help verfy) is CLI.UNKNOWN_COMMAND naming what was asked, not a bare usage with exit 2', async () => {
    const human = await cli(['help', 'verfy']);
    expect(human.status).toBe(2);
    expect(human.stderr).toMatch(/verfy.*\[CLI\.UNKNOWN_COMMAND\]/);
    const json = await cli(['--json', 'users', 'help', 'ad']);
    expect(json.status).toBe(2);
    const { error } = JSON.parse(json.stdout) as { error: { code: string; message: string } };
    expect(error).toEqual({ code: 'CLI.UNKNOWN_COMMAND', message: expect.stringContaining("'ad'") });
  });

  it('help COMMAND SUBCOMMAND shows the subcommand\'s help (help pfs diff, help audit-trail review), not its parent\'s', async () => {
    for (const path of [['pfs', 'diff'], ['audit-trail', 'review'], ['users', 'add']]) {
      const run = await cli(['help', ...path]);
      expect([path, run.status]).toEqual([path, 0]);
      expect(run.stdout).toMatch(new RegExp(`^Usage: trial-ledger ${path.join(' ')} `, 'm'));
    }
    expect((await cli(['help', 'pfs'])).stdout).toMatch(/^Usage: trial-ledger pfs \[options\] \[command\]/m);
    const unknown = await cli(['--json', 'help', 'pfs', 'dif']);
    expect(unknown.status).toBe(2);
    expect((JSON.parse(unknown.stdout) as { error: unknown }).error).toEqual({ code: 'CLI.UNKNOWN_COMMAND', message: expect.stringContaining("'pfs dif'") });
  });

  it('an unknown command or option is a usage error: exit status 2', async () => {
    expect((await cli(['frobnicate'])).status).toBe(2);
    expect((await cli(['demo', '--no-such-option'])).status).toBe(2);
    expect((await cli(['serve', '--port', 'eighty'])).status).toBe(2);
  });

  describe('read-only commands on a --store path that names no ledger', () => {
    const dir = tempDir();
    afterAll(() => dir.remove());

    it.each([
      ['verify'],
      ['replay', '--subject', 'S001'],
      ['pfs'],
      ['audit-trail'],
      ['export', 'odm', '--out', '-'],
      ['export', 'adtte', '--out', '-'],
      ['report', '--out', '-'],
      ['checkpoint'],
      ['checkpoint', '--export-public-key', '-'],
    ])('when %s is run on a mistyped SQLite path, then it fails with STORE.NOT_FOUND and creates no file', async (...argv: string[]) => {
      const missing = join(dir.path, 'no-such-dir', 'typo.sqlite');
      const run = await cli([...argv, '--store', `sqlite:${missing}`, '--json']);
      expect(run.status).toBe(1);
      expect(`${run.stdout}${run.stderr}`).toContain('STORE.NOT_FOUND');
      // What to do next: fix the path, or start a ledger there.
      expect(`${run.stdout}${run.stderr}`).toContain('Check --store or LEDGER_STORE');
      expect(`${run.stdout}${run.stderr}`).toContain('a new ledger starts with users create-admin (or demo)');
      expect(existsSync(missing)).toBe(false);
      expect(existsSync(join(dir.path, 'no-such-dir'))).toBe(false);
      expect(existsSync(join(process.env.TRIAL_LEDGER_KEY_DIR as string, 'typo.key.pem'))).toBe(false);
    });
  });

  describe('commands that act as a user on a --store path that names no ledger', () => {
    const dir = tempDir();
    afterAll(() => dir.remove());

    it.each([
      ['users', 'add', '--as', 'ada', '--username', 'bob', '--full-name', 'Bob Monitor', '--role', 'monitor'],
      ['users', 'list', '--as', 'ada'],
      ['users', 'change-password', '--as', 'ivy'],
      ['study', 'register', '--as', 'ada'],
      ['study', 'lock', '--as', 'ada', '--reason', 'Database lock for the interim analysis'],
      ['study', 'show', '--study', 'LANR-HGNET-01'],
      ['import', 'IMPORT_FILE', '--as', 'ivy'],
      ['query', 'list', '--as', 'mona'],
      ['sdv', '--as', 'mona', '--subject', 'S001', '--event', '01a23ab2-e0da-72ca-9019-db5f03248211'],
    ])('when %s %s is run on a mistyped SQLite path, then it fails with STORE.NOT_FOUND, creates no ledger and records no failed sign-in in one', async (...argv: string[]) => {
      const missing = join(dir.path, `typo-${argv.slice(0, 2).join('-')}.sqlite`);
      const importFile = join(dir.path, 'visits.jsonl');
      writeFileSync(importFile, `${JSON.stringify({ command: 'ReportAdverseEvent', studyId: 'LANR-HGNET-01', subjectId: 'S001', idempotencyKey: 'k1', payload: {} })}\n`);
      const args = argv.map((a) => (a === 'IMPORT_FILE' ? importFile : a));
      const run = await cli([...args, '--store', `sqlite:${missing}`, '--json'], { TRIAL_LEDGER_PASSWORD: PASSWORD, TRIAL_LEDGER_NEW_PASSWORD: `${PASSWORD}-new` });
      expect([run.status, `${run.stdout}${run.stderr}`]).toEqual([1, expect.stringContaining('STORE.NOT_FOUND')]);
      expect(existsSync(missing)).toBe(false);
    });
  });

  describe('--as on a command that does not act as a user', () => {
    const dir = tempDir();
    const store = `sqlite:${join(dir.path, 'ledger.sqlite')}`;
    const head = async (): Promise<number> => {
      const opened = await openEventStore(store);
      try {
        return (await opened.head()).position;
      } finally {
        await opened.close();
      }
    };
    beforeAll(async () => {
      await seedUsers(store);
    });
    afterAll(() => dir.remove());

    const copy = tempDir();
    afterAll(() => copy.remove());
    /** One run of every command that never acts as a user (`store` in the authorization matrix), with --as. */
    const WITHOUT_ACTING_USER: Record<string, string[]> = {
      verify: ['--as', 'monitor', 'verify'],
      replay: ['--as', 'monitor', 'replay', '--subject', 'S001'],
      pfs: ['--as', 'regulator', 'pfs'],
      'pfs diff': ['--as', 'regulator', 'pfs', 'diff', '--from-position', '1'],
      'audit-trail': ['--as', 'monitor', 'audit-trail'],
      'audit-trail review': ['--as', 'monitor', 'audit-trail', 'review'],
      'study show': ['--as', 'monitor', 'study', 'show'],
      checkpoint: ['--as', 'admin', 'checkpoint'],
      'proof inclusion': ['--as', 'monitor', 'proof', 'inclusion', '--position', '1', '--out', '-'],
      'proof consistency': ['--as', 'monitor', 'proof', 'consistency', '--from', '1', '--to', '2', '--out', '-'],
      'proof verify': ['--as', 'monitor', 'proof', 'verify', join(copy.path, 'proof.json'), '--public-key', join(copy.path, 'ledger.pub.pem')],
      demo: ['--as', 'investigator', 'demo'],
      serve: ['--as', 'admin', 'serve', '--port', '0'],
      migrate: ['--as', 'admin', 'migrate', '--to', `sqlite:${join(copy.path, 'copy.sqlite')}`],
      'users create-admin': ['--as', 'admin', 'users', 'create-admin', '--username', 'second', '--full-name', 'Second Admin'],
    };

    it('covers every command the authorization matrix lists as not run as a user', () => {
      const storeCommands = cliCommandNames(buildProgram()).filter((name) => CLI_ACCESS[name]?.kind === 'store');
      expect(Object.keys(WITHOUT_ACTING_USER).sort()).toEqual(storeCommands.sort());
    });

    it.each([...Object.entries(WITHOUT_ACTING_USER), ['verify (--as after the command)', ['verify', '--as', 'monitor']] as const])('when `%s` is run with --as, then a usage error (exit 2, CLI.ACTING_USER_NOT_USED) before anything is read, signed or recorded', async (_name, argv) => {
      const before = await head();
      const run = await cli(['--store', store, ...argv], { TRIAL_LEDGER_PASSWORD: PASSWORD });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('does not act as a user');
      // serve's stderr is its JSON log: the code is the line's `code` there, in brackets elsewhere.
      expect(run.stderr).toContain(_name === 'serve' ? '"code":"CLI.ACTING_USER_NOT_USED"' : '[CLI.ACTING_USER_NOT_USED]');
      expect(run.stdout).toBe('');
      expect(await head()).toBe(before);
    });

    it('with --json, the refusal is a JSON document on stdout', async () => {
      const run = await cli(['--store', store, '--as', 'monitor', '--json', 'verify']);
      expect(run.status).toBe(2);
      expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'CLI.ACTING_USER_NOT_USED' } });
    });

    it('a command that records in the user\'s name still takes --as and signs the user in', async () => {
      const before = await head();
      const run = await cli(['--store', store, '--as', 'monitor', '--json', 'export', 'audit-trail', '--format', 'json', '--out', join(dir.path, 'trail.json')], { TRIAL_LEDGER_PASSWORD: PASSWORD });
      expect(run.status).toBe(0);
      expect(await head()).toBe(before + 2); // LoginSucceeded, DataExported
    });
  });
});
