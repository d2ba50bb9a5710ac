import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDefaultProtocol, ROLES, type Role } from '@trial-ledger/domain';
import { openEventStore, type StoredEvent } from '@trial-ledger/event-store';
import { buildProgram } from '../../apps/cli/src/program';
import { AUTHORIZATION_MATRIX_DOC, CLI_ACCESS, cliCommandNames } from '../../scripts/authorization-matrix';
import { cli, PASSWORD, seedUsers, tempDir, type CliRun } from '../cli/cli-harness';

/** One `--as` row of the committed matrix: the command and, per role, whether it may run it. */
interface CliRow {
  readonly command: string;
  readonly allowed: Readonly<Record<Role, boolean>>;
}

/** The "CLI commands run as a user" table of docs/authorization-matrix.md. */
const documentedCliRows = (): CliRow[] => {
  const doc = readFileSync(join(__dirname, '..', '..', AUTHORIZATION_MATRIX_DOC), 'utf8');
  const section = doc.split('## CLI commands run as a user')[1].split('\n\n').find((block) => block.startsWith('| command |')) ?? '';
  return section
    .split('\n')
    .slice(2)
    .map((line) => line.split(' | '))
    .map((cells) => ({
      command: cells[0].replace(/^\| `/, '').replace(/`$/, '').replace(/ FILE\.jsonl$/, ''),
      allowed: Object.fromEntries(ROLES.map((role, i) => [role, cells[2 + i].replace(' |', '').trim() === '✓'])) as Record<Role, boolean>,
    }));
};

const NEW_PASSWORD = 'a fresh passphrase 2026';
const SECOND_STUDY = 'CLI-AUTHZ-02';

interface CliCase {
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** The user to act as; by default the seeded user of the role. */
  readonly as?: string;
}

/**
 * CLI commands reach the same role checks as the API (SPEC §5): every `--as` command of the committed
 * matrix is run as every role over a temp-file SQLite ledger. A documented ✓ must succeed; a — must be
 * refused with AUTH.ROLE_NOT_ALLOWED, a non-zero exit status and nothing written outside the identity stream.
 */
describe('CLI authorization: every --as command in docs/authorization-matrix.md × five roles', () => {
  const dir = tempDir();
  const store = `sqlite:${join(dir.path, 'ledger.sqlite')}`;
  let counter = 0;
  const next = (prefix: string): string => `${prefix}${(counter += 1)}`;
  const run = (as: string, argv: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliRun> =>
    cli(['--store', store, '--as', as, '--json', ...argv], { TRIAL_LEDGER_PASSWORD: PASSWORD, ...env });
  const allEvents = async (): Promise<StoredEvent[]> => {
    const opened = await openEventStore(store);
    try {
      const events: StoredEvent[] = [];
      for await (const event of opened.readAll({ afterPosition: 0 })) events.push(event);
      return events;
    } finally {
      await opened.close();
    }
  };
  const newUser = async (role: Role = 'coordinator'): Promise<string> => {
    const username = next('cliuser');
    // The administrator's password is temporary: the new user chooses their own before anything else.
    const temporary = `temporary ${PASSWORD}`;
    const added = await run('admin', ['users', 'add', '--username', username, '--full-name', `CLI ${role} ${username}`, '--role', role], { TRIAL_LEDGER_NEW_PASSWORD: temporary });
    if (added.status !== 0) throw new Error(`fixture: users add ${username} failed: ${added.stdout}${added.stderr}`);
    const chosen = await run(username, ['users', 'change-password'], { TRIAL_LEDGER_PASSWORD: temporary, TRIAL_LEDGER_NEW_PASSWORD: PASSWORD });
    if (chosen.status !== 0) throw new Error(`fixture: users change-password ${username} failed: ${chosen.stdout}${chosen.stderr}`);
    return username;
  };
  const file = (name: string, content: string): string => {
    const path = join(dir.path, name);
    writeFileSync(path, content);
    return path;
  };

  /** A valid invocation per `--as` command; prepares fresh state where an allowed run consumes it. */
  const CASES: Record<string, (role: Role) => Promise<CliCase>> = {
    'study register': async () => ({ argv: ['study', 'register', '--protocol', file('second-study.json', JSON.stringify({ ...loadDefaultProtocol(), studyId: SECOND_STUDY }))] }),
    'study amend': async () => ({
      argv: ['study', 'amend', '--protocol', file('amendment.json', JSON.stringify({ ...loadDefaultProtocol(), version: 2, targetEnrollment: 30 })), '--reason', 'sponsor raised the target'],
    }),
    'study lock': async () => ({ argv: ['study', 'lock', '--reason', 'interim analysis'] }),
    'study unlock': async () => ({ argv: ['study', 'unlock', '--reason', 'query resolution'] }),
    'users add': async () => {
      const username = next('added');
      return { argv: ['users', 'add', '--username', username, '--full-name', `Added By CLI ${username}`, '--role', 'monitor'], env: { TRIAL_LEDGER_NEW_PASSWORD: PASSWORD } };
    },
    'users list': async () => ({ argv: ['users', 'list'] }),
    'users history': async () => ({ argv: ['users', 'history'] }),
    'users deactivate': async () => ({ argv: ['users', 'deactivate', await newUser(), '--reason', 'left the site'] }),
    'users reactivate': async () => {
      const username = await newUser();
      await run('admin', ['users', 'deactivate', username, '--reason', 'set up a reactivation']);
      return { argv: ['users', 'reactivate', username, '--reason', 'returned'] };
    },
    'users set-role': async () => ({ argv: ['users', 'set-role', await newUser(), 'investigator', '--reason', 'appointed sub-investigator'] }),
    'users reset-password': async () => ({ argv: ['users', 'reset-password', await newUser(), '--reason', 'forgotten'], env: { TRIAL_LEDGER_NEW_PASSWORD: 'a temporary passphrase 1' } }),
    // One's own password: a fresh user of the role, so the seeded users keep theirs.
    'users change-password': async (role) => ({ as: await newUser(role), argv: ['users', 'change-password'], env: { TRIAL_LEDGER_NEW_PASSWORD: NEW_PASSWORD } }),
    import: async () => {
      const subjectId = next('CLI_S');
      const line = { command: 'ScreenSubject', studyId: loadDefaultProtocol().studyId, subjectId, idempotencyKey: `screen-${subjectId}`, payload: { screeningDate: '2025-01-06', consentDate: '2025-01-06', sex: 'F', birthYear: 1961 } };
      return { argv: ['import', file(`${subjectId}.jsonl`, `${JSON.stringify(line)}\n`)] };
    },
  };

  /** A dose recorded on a fresh enrolled subject through the import (as the coordinator), for queries and SDV. */
  const dosedSubject = async (): Promise<{ subjectId: string; doseId: string }> => {
    const subjectId = next('QS');
    const studyId = loadDefaultProtocol().studyId;
    const lines = [
      ['ScreenSubject', { screeningDate: '2025-01-06', consentDate: '2025-01-06', sex: 'F', birthYear: 1961 }],
      ['AssessEligibility', { assessmentDate: '2025-01-07', age: 64, primarySite: 'rectum', whoGrade: 2, ki67Percent: 7.5, diseaseStatus: 'metastatic', measurableDisease: true, priorSystemicTherapy: false, ecog: 1 }],
      ['EnrollSubject', { enrollmentDate: '2025-01-08' }],
      ['RecordDose', { cycle: 1, administeredOn: '2025-01-09', doseMg: 120, route: 'deep-sc', lotNumber: 'LOT-1', injectionSite: 'left buttock' }],
    ].map(([command, payload], i) => JSON.stringify({ command, studyId, subjectId, idempotencyKey: `${subjectId}-${i}`, payload }));
    const imported = await run('investigator', ['import', file(`${subjectId}.jsonl`, `${lines.join('\n')}\n`)]);
    if (imported.status !== 0) throw new Error(`fixture: import of ${subjectId} failed: ${imported.stdout}${imported.stderr}`);
    const doseId = (await allEvents()).find((e) => e.type === 'DoseAdministered' && e.streamId.endsWith(`-${subjectId}`))!.eventId;
    return { subjectId, doseId };
  };
  const openedQuery = async (stage: 'open' | 'answered' | 'closed'): Promise<string> => {
    const { subjectId, doseId } = await dosedSubject();
    const opened = await run('monitor', ['query', 'open', '--subject', subjectId, '--event', doseId, '--field', 'lotNumber', '--text', 'lot differs from the pharmacy log']);
    const { queryId } = JSON.parse(opened.stdout) as { queryId: string };
    if (stage !== 'open') await run('coordinator', ['query', 'respond', queryId, '--text', 'checked', '--category', 'confirmed-correct']);
    if (stage === 'closed') await run('monitor', ['query', 'close', queryId]);
    return queryId;
  };
  Object.assign(CASES, {
    'query open': async () => {
      const { subjectId, doseId } = await dosedSubject();
      return { argv: ['query', 'open', '--subject', subjectId, '--event', doseId, '--text', 'please confirm'] };
    },
    'query respond': async () => ({ argv: ['query', 'respond', await openedQuery('open'), '--text', 'confirmed', '--category', 'confirmed-correct'] }),
    'query close': async () => ({ argv: ['query', 'close', await openedQuery('answered')] }),
    'query reopen': async () => ({ argv: ['query', 'reopen', await openedQuery('closed'), '--text', 'another look'] }),
    'query cancel': async () => ({ argv: ['query', 'cancel', await openedQuery('open')] }),
    'query list': async () => ({ argv: ['query', 'list'] }),
    'query show': async () => ({ argv: ['query', 'show', await openedQuery('answered')] }),
    // Exports are recorded (DataExported) before they are written; a refused one writes neither.
    'export odm': async () => ({ argv: ['export', 'odm', '--out', join(dir.path, `${next('odm')}.xml`)] }),
    'export audit-trail': async () => ({ argv: ['export', 'audit-trail', '--format', 'csv', '--out', join(dir.path, `${next('trail')}.csv`)] }),
    'export adtte': async () => ({ argv: ['export', 'adtte', '--out', join(dir.path, `${next('adtte')}.csv`)] }),
    report: async () => ({ argv: ['report', '--out', join(dir.path, `${next('report')}.html`)] }),
    sdv: async () => {
      const { subjectId, doseId } = await dosedSubject();
      return { argv: ['sdv', '--subject', subjectId, '--event', doseId] };
    },
  } satisfies Record<string, (role: Role) => Promise<CliCase>>);

  const rows = documentedCliRows();

  beforeAll(async () => {
    await seedUsers(store);
    const registered = await run('admin', ['study', 'register']);
    if (registered.status !== 0) throw new Error(`set-up: study register failed: ${registered.stderr}`);
  }, 60_000);
  afterAll(() => dir.remove());

  it('the documented table lists exactly the CLI commands that take --as, and each has a case here', () => {
    const asCommands = cliCommandNames(buildProgram()).filter((name) => CLI_ACCESS[name]?.kind !== 'store');
    expect(rows.map((r) => r.command).sort()).toEqual([...asCommands].sort());
    expect(rows.map((r) => r.command).filter((name) => !CASES[name])).toEqual([]);
  });

  // One test per command (each with its own time limit): a loaded machine slows every CLI run, not one command.
  it.each(rows.map((row) => [row.command, row] as const))('%s: each documented ✓ runs (exit 0); each — is refused with AUTH.ROLE_NOT_ALLOWED, writes nothing outside the identity stream and records the refusal', async (_command, row) => {
    const mismatches: string[] = [];
    const make = CASES[row.command];
    const allowedRoles = ROLES.filter((role) => row.allowed[role]);
    // Refusals first, on state prepared for an allowed role: a refusal must not consume it.
    const probe = await make(allowedRoles[0]);
    for (const role of ROLES.filter((r) => !row.allowed[r])) {
      const before = (await allEvents()).length;
      const refused = await run(role, probe.argv, probe.env);
      const after = (await allEvents()).slice(before);
      const written = after.filter((e) => e.streamId !== 'identity');
      // SPEC §5: every refusal is logged — as the API's guard does, the CLI records one AuthorizationRefused.
      const logged = after.filter((e) => e.type === 'AuthorizationRefused' && (e.metadata.actor as { role?: string }).role === role);
      // A refused command answers `{ error: { code } }`; an import reports the refused line as `{ failure: { line, code } }`.
      const output = JSON.parse(refused.stdout || '{}') as { error?: { code?: string }; failure?: { code?: string } };
      const code = output.error?.code ?? output.failure?.code;
      if (refused.status === 0 || code !== 'AUTH.ROLE_NOT_ALLOWED' || written.length > 0 || logged.length !== 1) {
        mismatches.push(
          `${row.command} as ${role}: expected a logged refusal, got exit ${refused.status} ${String(code)}; ` +
            `wrote ${written.map((e) => e.type).join(',') || 'nothing'}; ${logged.length} AuthorizationRefused`,
        );
      }
    }
    for (const [index, role] of allowedRoles.entries()) {
      const call = index === 0 ? probe : await make(role);
      const allowed = await run(call.as ?? role, call.argv, call.env);
      if (allowed.status !== 0) mismatches.push(`${row.command} as ${role}: expected success, got exit ${allowed.status}: ${allowed.stdout}${allowed.stderr}`);
    }
    expect(mismatches).toEqual([]);
  }, 120_000);
});
