import type { Command } from 'commander';
import { COMMAND_ROLES, EXPORT_ROLES, MONITORING_COMMAND_ROLES, MONITORING_READ_ROLES, ROLES, SIGNATURE_ROLES, type ExportKind, type MonitoringCommandType, type Role } from '@trial-ledger/domain';
import { isCredentialRoute, type InventoriedRoute } from '../apps/api/src/shared/routing/route-inventory';
import { PUBLIC_ROUTES } from '../apps/api/src/route-rules';
import { IMPORTABLE_COMMANDS } from '../apps/cli/src/import/import-line.parser';

/**
 * Generator of `docs/authorization-matrix.md` (21 CFR Part 11 §11.10(d), (g); SPEC §5): every API
 * endpoint and every CLI command against the five roles. The API half comes from the running app's
 * route table (`listRoutes`), the CLI half from the CLI's command registry (`buildProgram()`) and
 * the table below, which says which domain command or identity check each CLI command reaches.
 * Pure: the caller boots the app and builds the program. Run by
 * `test/authorization/authorization-matrix-doc.e2e-spec.ts`, which also checks the committed file.
 */

export const AUTHORIZATION_MATRIX_DOC = 'docs/authorization-matrix.md';
export const REGENERATE_COMMAND = 'UPDATE_AUTHORIZATION_MATRIX=1 npx jest test/authorization/authorization-matrix-doc.e2e-spec.ts';

type CommandType = keyof typeof COMMAND_ROLES;

/** What a CLI command reaches, and so who may run it. */
export type CliAccess =
  /** `--as USER`; the command pipeline's domain check (`COMMAND_ROLES`) decides, as for the API. */
  | { readonly kind: 'domain'; readonly command: CommandType }
  /** `--as USER`; the monitoring decider's check (`MONITORING_COMMAND_ROLES`), as for the API. */
  | { readonly kind: 'monitoring'; readonly command: MonitoringCommandType }
  /** `--as USER`; a read of queries or SDV state, checked against `MONITORING_READ_ROLES` by the identity service. */
  | { readonly kind: 'monitoring-read'; readonly operation: string }
  /** `--as USER`; every line's command is checked against `COMMAND_ROLES` on its own. */
  | { readonly kind: 'import' }
  /** `--as USER`; the identity service's own check, the same one behind this API operation. */
  | { readonly kind: 'identity'; readonly operation: string }
  /** `--as USER`; the export's roles (`EXPORT_ROLES`), then a `DataExported` record before anything is written. */
  | { readonly kind: 'export'; readonly export: ExportKind }
  /** `--as USER` with the current password: only one's own password. */
  | { readonly kind: 'own-password' }
  /** No `--as`: opens the store itself; no role is checked. */
  | { readonly kind: 'store'; readonly does: string };

/**
 * Every CLI command (full name, as typed after `trial-ledger`) → what it reaches. A command the CLI
 * registers without an entry here makes the generator throw: a new command must say who may run it.
 * Entries for commands not (yet) registered are skipped.
 */
export const CLI_ACCESS: Readonly<Record<string, CliAccess>> = {
  'study register': { kind: 'domain', command: 'RegisterStudy' },
  'study amend': { kind: 'domain', command: 'AmendProtocol' },
  'study lock': { kind: 'domain', command: 'LockStudy' },
  'study unlock': { kind: 'domain', command: 'UnlockStudy' },
  import: { kind: 'import' },
  'users add': { kind: 'identity', operation: 'AddUser' },
  'users list': { kind: 'identity', operation: 'ListUsers' },
  'users history': { kind: 'identity', operation: 'GetUserHistory' },
  'users deactivate': { kind: 'identity', operation: 'DeactivateUser' },
  'users reactivate': { kind: 'identity', operation: 'ReactivateUser' },
  'users set-role': { kind: 'identity', operation: 'ChangeUserRole' },
  'users reset-password': { kind: 'identity', operation: 'ResetPassword' },
  'users change-password': { kind: 'own-password' },
  'users create-admin': { kind: 'store', does: 'writes the first administrator (UserCreated); refused once any administrator exists' },
  serve: { kind: 'store', does: 'serves the API over the store; every HTTP request is then checked per the API table' },
  demo: { kind: 'store', does: 'writes a generated study and its demo users into an empty store only' },
  migrate: { kind: 'store', does: 'reads the whole ledger and copies it into another, empty store' },
  checkpoint: { kind: 'store', does: 'reads and verifies the log; signs a checkpoint with the ledger key beside the store' },
  verify: { kind: 'store', does: 'reads the whole log (hash chain, Merkle tree, signed checkpoints; --since: consistency with a kept tree head)' },
  'proof inclusion': { kind: 'store', does: 'reads one event (identity data redacted) and its Merkle path; signs a tree head with the ledger key beside the store' },
  'proof consistency': { kind: 'store', does: 'reads Merkle tree hashes only; signs tree heads for the sizes asked with the ledger key beside the store' },
  'proof verify': { kind: 'store', does: 'opens no store: checks a proof file with the public key given' },
  'audit-trail': { kind: 'store', does: 'reads the audit trail: every event with who, when, what and why' },
  replay: { kind: 'store', does: 'reads a casebook or the study overview as known at an instant' },
  pfs: { kind: 'store', does: 'reads every subject to derive PFS' },
  'pfs diff': { kind: 'store', does: 'reads every subject at two points of the log to compare their PFS and name the events between' },
  'audit-trail review': { kind: 'store', does: 'reads the whole log (and the identity stream) to compute the review indicators' },
  'export odm': { kind: 'export', export: 'odm' },
  'export audit-trail': { kind: 'export', export: 'audit-trail' },
  'export adtte': { kind: 'export', export: 'adtte' },
  'study show': { kind: 'store', does: 'reads the study overview' },
  report: { kind: 'export', export: 'report' },
  'query open': { kind: 'monitoring', command: 'OpenQuery' },
  'query respond': { kind: 'monitoring', command: 'RespondToQuery' },
  'query close': { kind: 'monitoring', command: 'CloseQuery' },
  'query reopen': { kind: 'monitoring', command: 'ReopenQuery' },
  'query cancel': { kind: 'monitoring', command: 'CancelQuery' },
  'query list': { kind: 'monitoring-read', operation: 'ListQueries' },
  'query show': { kind: 'monitoring-read', operation: 'GetQuery' },
  sdv: { kind: 'monitoring', command: 'VerifySource' },
};

const EXPORT_WORDS: Readonly<Record<ExportKind, string>> = {
  odm: 'CDISC ODM export',
  'audit-trail': 'audit-trail export (CSV/JSON)',
  adtte: 'ADaM ADTTE export',
  report: 'printable report',
};

/** Remarks on API operations whose role check goes further than the route's roles. */
const API_NOTES: Readonly<Record<string, string>> = {
  SignCasebook: `scope \`"casebook"\`: ${SIGNATURE_ROLES.SignCasebook.join(', ')} only; scope \`{ eventId }\` (one record): ${SIGNATURE_ROLES.SignRecord.join(', ')}, the monitor with the meaning review only; authorship only by whoever recorded what is signed — checked again by the identity service; password re-entered`,
  CorrectEntry: 'also only a role that may issue the command that wrote the target entry',
  VoidEntry: 'also only a role that may issue the command that wrote the target entry',
  Logout: 'ends only the caller\'s own session',
  GetStudy: 'admin: the set-up view — protocol, amendments, lock state; no roster (subject ids, enrollment dates)',
  GetStudyEvents: 'admin: the set-up events only (registration, amendments, locks); no roster entries',
  GetUserHistory: 'the identity and account-policy streams in log order, password hashes redacted; admin: no subject id (a refused signature\'s subject, a refused path\'s subject segment)',
};

/** Who may call the routes that take no bearer token, and why that is safe. */
const OPEN_ROUTE_WHO: Readonly<Record<string, string>> = {
  'api/v1/auth/login': 'any user, by username and password in the body; every attempt recorded, lockout after repeated failures',
  'api/v1/auth/password': 'any user, for their own account, by the current password in the body (also once it has expired)',
  health: 'anyone: store reachable and head position, no ledger data (load balancer probe)',
  'api/docs': 'anyone: the OpenAPI documentation, no ledger data',
  'api/docs-json': 'anyone: the OpenAPI document, no ledger data',
};

const YES = '✓';
const NO = '—';
const cells = (allowed: readonly Role[]): string => ROLES.map((role) => (allowed.includes(role) ? YES : NO)).join(' | ');
const roleHeader = `${ROLES.join(' | ')}`;
const roleRule = ROLES.map(() => ':-:').join(' | ');

/**
 * Full names of the CLI's leaf commands, e.g. `study register`, `export odm`, `verify`, plus the
 * commands that run on their own besides having subcommands (`pfs` and `pfs diff`), named in CLI_ACCESS.
 */
export const cliCommandNames = (program: Command): string[] => {
  const walk = (command: Command, prefix: string): string[] =>
    command.commands.flatMap((sub) => {
      const name = prefix ? `${prefix} ${sub.name()}` : sub.name();
      return sub.commands.length > 0 ? [...(Object.hasOwn(CLI_ACCESS, name) ? [name] : []), ...walk(sub, name)] : [name];
    });
  return walk(program, '');
};

const rolesOf = (routes: readonly InventoriedRoute[], operation: string): readonly Role[] => {
  const route = routes.find((r) => r.operation === operation);
  if (!route?.roles) throw new Error(`CLI_ACCESS names the API operation ${operation}, which the running app does not serve with a role rule`);
  return route.roles;
};

const importRoles = (): Role[] => ROLES.filter((role) => IMPORTABLE_COMMANDS.some((command) => COMMAND_ROLES[command].includes(role)));

export interface AuthorizationMatrixInput {
  /** The running app's routes (`listRoutes(app)`). */
  readonly routes: readonly InventoriedRoute[];
  /** The CLI program (`buildProgram()`). */
  readonly cli: Command;
}

/** The Markdown of `docs/authorization-matrix.md`. Throws when a route has no role rule or a CLI command no entry. */
export const renderAuthorizationMatrix = ({ routes, cli }: AuthorizationMatrixInput): string => {
  const api = routes.filter((r) => r.path.startsWith('api/v1/'));
  const unruled = api.filter((r) => !isCredentialRoute(r) && (!r.roles || r.roles.length === 0 || !r.guarded));
  if (unruled.length > 0) throw new Error(`Routes without a role rule: ${unruled.map((r) => `${r.method} /${r.path}`).join(', ')}`);
  const commands = cliCommandNames(cli);
  const unmapped = commands.filter((name) => !CLI_ACCESS[name]);
  if (unmapped.length > 0) throw new Error(`CLI commands missing from CLI_ACCESS in scripts/authorization-matrix.ts: ${unmapped.join(', ')}`);

  const apiRows = api
    .filter((r) => !isCredentialRoute(r))
    .map((r) => `| ${r.method} | \`/${r.path}\` | ${r.operation} | ${cells(r.roles ?? [])} | ${API_NOTES[r.operation] ?? ''} |`);
  const openRows = [
    ...api.filter(isCredentialRoute).map((r) => `| ${r.method} | \`/${r.path}\` | ${r.operation} | ${OPEN_ROUTE_WHO[r.path] ?? 'any user, by the credentials in the body'} |`),
    ...PUBLIC_ROUTES.map((r) => `| ${r.method} | \`/${r.path}\` | — | ${OPEN_ROUTE_WHO[r.path] ?? 'anyone: no ledger data'} |`),
  ];

  const asUser = commands.filter((name) => CLI_ACCESS[name].kind !== 'store');
  const cliRows = asUser.map((name) => {
    const access = CLI_ACCESS[name];
    switch (access.kind) {
      case 'domain':
        return `| \`${name}\` | ${access.command} (domain check) | ${cells(COMMAND_ROLES[access.command])} |`;
      case 'import':
        return `| \`${name} FILE.jsonl\` | each line's command, checked on its own (domain check) | ${cells(importRoles())} |`;
      case 'identity':
        return `| \`${name}\` | identity service, as API ${access.operation} | ${cells(rolesOf(routes, access.operation))} |`;
      case 'monitoring':
        return `| \`${name}\` | ${access.command} (monitoring check; the system actor also opens, closes, reopens and cancels) | ${cells(MONITORING_COMMAND_ROLES[access.command])} |`;
      case 'monitoring-read':
        return `| \`${name}\` | identity service, as API ${access.operation} | ${cells(MONITORING_READ_ROLES)} |`;
      case 'export':
        return `| \`${name}\` | ${EXPORT_WORDS[access.export]}, recorded as DataExported before it is written | ${cells(EXPORT_ROLES[access.export])} |`;
      case 'own-password':
        return `| \`${name}\` | identity service: one's own password, with the current one | ${cells(ROLES)} |`;
      case 'store':
        throw new Error('unreachable: store commands are listed apart');
      default: {
        const never: never = access;
        throw new Error(`unknown CLI access ${JSON.stringify(never)}`);
      }
    }
  });
  const storeRows = commands
    .filter((name) => CLI_ACCESS[name].kind === 'store')
    .map((name) => `| \`${name}\` | ${(CLI_ACCESS[name] as { does: string }).does} |`);

  const importLines = IMPORTABLE_COMMANDS.map((command) => `| ${command} | ${cells(COMMAND_ROLES[command])} |`);

  return [
    '# Authorization matrix',
    '',
    `<!-- Generated by scripts/authorization-matrix.ts from the running API's route table and the CLI's command registry; do not edit by hand. -->`,
    '',
    `Regenerate with \`${REGENERATE_COMMAND}\`.`,
    '`npx jest test/authorization` fails while this file differs from what the generator produces, so an',
    'endpoint without a role rule, a CLI command without an entry, or a changed rule shows up as a failing test.',
    '',
    'Who may do what (21 CFR Part 11 §11.10(d) limiting system access to authorised individuals, §11.10(g)',
    'authority checks; SPEC §5). Roles: **coordinator** and **investigator** enter clinical data;',
    '**monitor** (auditor) and **regulator** read, verify and export — the monitor also signs records it has',
    'reviewed; **admin** manages users and study set-up and never clinical data.',
    '',
    'How it is enforced: every API route carries its roles (`@LedgerRoute` rules in `apps/api/src/route-rules.ts`,',
    '`@Roles()` on identity\'s routes); the bearer guard checks them before anything is read or written and answers',
    '`403` with the problem code `AUTH.ROLE_NOT_ALLOWED`, recording an `AuthorizationRefused` event in the identity',
    'stream. Commands are checked again by the domain (`COMMAND_ROLES`), which is what the CLI and the import reach.',
    '`test/authorization/authorization-matrix.e2e-spec.ts` walks every cell of the API table over HTTP.',
    'The administrator reads users and study set-up only: the two reads that serve set-up and clinical data together',
    '(the study, its stream\'s history) give it their set-up view, the user-management history leaves out the subject',
    'a refused signature or request named (see the notes), and the matrix test fails when any answer the administrator',
    'gets holds a subject id, a roster or an enrollment date, or a new read admits it.',
    '',
    '## HTTP API (`/api/v1`, bearer token)',
    '',
    `| method | path | operation | ${roleHeader} | notes |`,
    `| --- | --- | --- | ${roleRule} | --- |`,
    ...apiRows,
    '',
    '### Without a bearer token',
    '',
    '| method | path | operation | who |',
    '| --- | --- | --- | --- |',
    ...openRows,
    '',
    '## CLI commands run as a user (`--as USER`)',
    '',
    'The password comes from `TRIAL_LEDGER_PASSWORD` or a terminal prompt and every attempt is recorded. The',
    'command then meets the same check as over the API: a role outside it is refused with `AUTH.ROLE_NOT_ALLOWED`',
    'and a non-zero exit status, and nothing is written to a study or subject stream. Every refusal is recorded as',
    'an `AuthorizationRefused` event in the identity stream and reported in the security log, whether the identity',
    'service\'s check (`users …`) or the domain\'s role check (`study`, `import`) refused it.',
    '`test/authorization/cli-authorization.e2e-spec.ts` runs every row of this table as every role.',
    '',
    `| command | reaches | ${roleHeader} |`,
    `| --- | --- | ${roleRule} |`,
    ...cliRows,
    '',
    'An import line may carry any of these commands; each is checked against the acting user\'s role:',
    '',
    `| import line \`command\` | ${roleHeader} |`,
    `| --- | ${roleRule} |`,
    ...importLines,
    '',
    '## CLI commands that open the store directly (no `--as`, no role check)',
    '',
    'These commands read (or, where said, write) the store with whatever access the operating system or the',
    'database grants the process. **Anyone who can open the store file, or who holds the database credentials,',
    'can run them** — whatever their role, and whether or not they have a user account. None of them acts as a',
    'signed-in user, so `--as` on one of them is a usage error (`CLI.ACTING_USER_NOT_USED`, exit 2), never ignored.',
    '',
    '| command | what it does with the store |',
    '| --- | --- |',
    ...storeRows,
    '',
    '### Why the store itself must be access-controlled',
    '',
    'The role checks above live in the application. The ledger\'s contents — every casebook, the audit trail, the',
    'user list — are readable by anyone who reaches the store underneath it, and those reads are not logged by',
    'the ledger. Part 11 §11.10(d) therefore rests on the operating system and the database as well:',
    '',
    '- **SQLite** (`sqlite:FILE`): the file and its `-wal`/`-shm` companions belong to the service account that',
    '  runs `trial-ledger serve`, mode `0600`, in a directory no one else can list; so do the ledger signing key',
    '  and checkpoint file kept beside it. Give auditors and regulators the API (or exported copies), not the file.',
    '- **PostgreSQL**: the application\'s database role owns the event table; people get no database login, or a',
    '  read-only one only if the organisation accepts unlogged reads. Updates and deletes are refused by triggers',
    '  and grants regardless.',
    '- **KurrentDB**: the server\'s credentials and TLS certificates are held by the service only.',
    '',
    'Tampering by someone with write access to the store is not prevented by these checks but is detected: `verify`',
    'recomputes the hash chain, and checkpoints signed with the ledger key and kept by a monitor or regulator',
    'also reveal a truncated or rewritten tail (SPEC §4).',
    '',
  ].join('\n');
};
