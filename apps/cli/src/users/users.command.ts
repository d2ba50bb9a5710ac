import type { Command } from 'commander';
import { assertKeyDirOutsideStore, assertNoCheckpointsWithoutKey, assertNoKeyBesideStore, ensureLedgerKeyFor, ledgerFiles, userHistoryPage, type UserHistoryEntry } from '@trial-ledger/audit';
import { DomainError, USERNAME_PATTERN, USERNAME_RULE, isRole, validateUsername, type Role } from '@trial-ledger/domain';
import { USER_MANAGEMENT_STREAM_IDS, type Identity, type UserView } from '@trial-ledger/identity';
import { actingUser, openIdentity } from '../shared/acting-user';
import { globalOptions, withExistingStore, withStore, type GlobalOptions } from '../shared/cli-context';
import { CliError } from '../shared/cli-errors';
import { printResult, terminalSafe } from '../shared/output';
import { readPassword } from '../shared/prompt-password';

/**
 * A new password: `TRIAL_LEDGER_NEW_PASSWORD` (or `variable`), else typed twice on a terminal.
 * There is no default password anywhere (SPEC §5).
 */
const readNewPassword = async (variable: string, whose: string): Promise<string> => {
  const fromEnv = process.env[variable];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const first = await readPassword(`New password for ${whose}: `, variable);
  const second = await readPassword(`Repeat the new password for ${whose}: `, variable);
  if (first !== second) throw new CliError('The two passwords differ; nothing was changed', 2, 'PASSWORD.MISMATCH');
  return first;
};

const parseRole = (role: string): Role => {
  if (!isRole(role)) throw new CliError(`Unknown role "${role}": coordinator, investigator, monitor, regulator or admin`, 2, 'IDENTITY.ROLE_INVALID');
  return role;
};

/**
 * The `--username` of a new account against the username rule (and the reserved name), before a password is
 * asked for or the store opened: a name off the rule is wrong whatever the ledger holds (exit 2, as `--role`).
 */
const checkNewUsername = (username: string): void => {
  try {
    validateUsername(username);
  } catch (error) {
    if (error instanceof DomainError) throw new CliError(error.message, 2, error.code);
    throw error;
  }
};

const parseUsernameFilter = (username: string | undefined): string | undefined => {
  if (username !== undefined && !USERNAME_PATTERN.test(username.trim())) {
    throw new CliError(`--user ${JSON.stringify(username)} is not a username: ${USERNAME_RULE}`, 2, 'IDENTITY.USERNAME_INVALID');
  }
  return username;
};

/** What the event says, in one line (a line break in a reason or name cannot start another), without its secrets (already redacted) or its hash. */
const describeHistoryEntry = (e: UserHistoryEntry): string => terminalSafe(historyLine(e));

const historyLine = (e: UserHistoryEntry): string => {
  const details = Object.entries(e.data)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${e.streamId}#${e.streamVersion} ${e.recordedAt} ${e.type} by ${e.recordedBy} via ${e.source}` + (details ? ` — ${details}` : '') + (e.reason ? ` (reason: ${e.reason})` : '');
};

const describeUser = (u: UserView): string =>
  `${u.username.padEnd(16)} ${u.role.padEnd(12)} ${u.status.padEnd(11)} ${u.fullName}` +
  (u.lockedUntil ? `  [locked until ${u.lockedUntil}]` : '') +
  (u.mustChangePassword ? '  [must change password]' : '');

const printUser = (options: GlobalOptions, verb: string, user: UserView): void =>
  printResult(options.json, { user }, () => `${verb}: ${describeUser(user)}`);

/** Runs `work` with the acting user (`--as`, password from `TRIAL_LEDGER_PASSWORD` or a prompt). */
const asActingUser = async <T>(options: GlobalOptions, work: (identity: Identity, actor: Awaited<ReturnType<typeof actingUser>>) => Promise<T>): Promise<T> =>
  withExistingStore(options, async (store) => {
    const identity = await openIdentity(store);
    return work(identity, await actingUser(options, identity));
  });

/**
 * `trial-ledger users …` (SPEC §5, §6): user management, itself event-sourced and audited. The first
 * administrator is created here; every later change needs an administrator's `--as` and password.
 */
export const registerUsers = (program: Command): void => {
  const users = program.command('users').description('Create the first admin, add users, list them, change roles, deactivate, change passwords');

  users
    .command('create-admin')
    .description('Create the first administrator (password from $TRIAL_LEDGER_PASSWORD or a prompt); refused once an administrator exists')
    .requiredOption('--username <username>', 'the administrator\'s username (never reused)')
    .requiredOption('--full-name <name>', 'full printed name')
    .action(async (opts: { username: string; fullName: string }, command: Command) => {
      const options = globalOptions(command);
      checkNewUsername(opts.username);
      const files = ledgerFiles(options.store, { keyDir: options.keyDir });
      // Checked before anything is written, so the key cannot fail after the administrator was recorded.
      assertKeyDirOutsideStore(files);
      assertNoKeyBesideStore(files);
      assertNoCheckpointsWithoutKey(files);
      const password = await readNewPassword('TRIAL_LEDGER_PASSWORD', opts.username);
      const user = await withStore(options, async (store) =>
        (await openIdentity(store)).users.createFirstAdmin({ username: opts.username, fullName: opts.fullName, password }, 'cli'),
      );
      // Set-up also creates the ledger's Ed25519 signing key, whose public half signs every checkpoint.
      const { keyFile } = files;
      const key = ensureLedgerKeyFor(files);
      printUser(options, 'first administrator created', user);
      if (!options.json) process.stdout.write(`ledger signing key: ${keyFile} (public key fingerprint ${key.fingerprint}); export it with trial-ledger checkpoint --export-public-key FILE\n`);
    });

  users
    .command('add')
    .description('Add a user (--as ADMIN; the new password from $TRIAL_LEDGER_NEW_PASSWORD or a prompt)')
    .requiredOption('--username <username>', 'unique username (never reused, even after deactivation)')
    .requiredOption('--full-name <name>', 'full printed name, shown in every signature manifestation')
    .requiredOption('--role <role>', 'coordinator | investigator | monitor | regulator | admin')
    .option('--reason <text>', 'why the account is created')
    .action(async (opts: { username: string; fullName: string; role: string; reason?: string }, command: Command) => {
      const options = globalOptions(command);
      checkNewUsername(opts.username);
      const role = parseRole(opts.role);
      const user = await asActingUser(options, async (identity, actor) => {
        const password = await readNewPassword('TRIAL_LEDGER_NEW_PASSWORD', opts.username);
        return identity.users.addUser(actor, { username: opts.username, fullName: opts.fullName, role, password, reason: opts.reason ?? null }, 'cli');
      });
      printUser(options, 'user added', user);
    });

  users
    .command('list')
    .description('List every user ever created (--as an admin, monitor or regulator)')
    .action(async (_opts: unknown, command: Command) => {
      const options = globalOptions(command);
      const list = await asActingUser(options, (identity, actor) => identity.users.listUsers(actor, 'cli'));
      printResult(options.json, { users: list }, () => list.map(describeUser).join('\n'));
    });

  users
    .command('history')
    .description('The history of user management: every identity and account-policy event in log order, secrets redacted (--as an admin, monitor or regulator)')
    .option('--user <username>', 'only the events about this user or recorded by them')
    .action(async (opts: { user?: string }, command: Command) => {
      const options = globalOptions(command);
      const username = parseUsernameFilter(opts.user);
      const page = await asActingUser(options, async (identity, actor) =>
        userHistoryPage(USER_MANAGEMENT_STREAM_IDS, await identity.users.userManagementEvents(actor, 'cli'), { limit: Number.MAX_SAFE_INTEGER, ...(username !== undefined ? { username } : {}) }, actor.role),
      );
      printResult(options.json, { events: page.events }, () => (page.events.length === 0 ? 'no user-management events' : page.events.map(describeHistoryEntry).join('\n')));
    });

  users
    .command('deactivate <username>')
    .description("Withdraw a user's access at once (--as ADMIN); the username stays taken")
    .option('--reason <text>', 'why')
    .action(async (username: string, opts: { reason?: string }, command: Command) => {
      const options = globalOptions(command);
      const user = await asActingUser(options, (identity, actor) => identity.users.deactivateUser(actor, { username, reason: opts.reason ?? null }, 'cli'));
      printUser(options, 'deactivated', user);
    });

  users
    .command('reactivate <username>')
    .description('Restore a deactivated user\'s access (--as ADMIN)')
    .option('--reason <text>', 'why')
    .action(async (username: string, opts: { reason?: string }, command: Command) => {
      const options = globalOptions(command);
      const user = await asActingUser(options, (identity, actor) => identity.users.reactivateUser(actor, { username, reason: opts.reason ?? null }, 'cli'));
      printUser(options, 'reactivated', user);
    });

  users
    .command('set-role <username> <role>')
    .description("Change a user's role (--as ADMIN)")
    .option('--reason <text>', 'why')
    .action(async (username: string, roleName: string, opts: { reason?: string }, command: Command) => {
      const options = globalOptions(command);
      const role = parseRole(roleName);
      const user = await asActingUser(options, (identity, actor) => identity.users.changeRole(actor, { username, role, reason: opts.reason ?? null }, 'cli'));
      printUser(options, 'role changed', user);
    });

  users
    .command('change-password')
    .description('Change your own password (--as USER; current from $TRIAL_LEDGER_PASSWORD, new from $TRIAL_LEDGER_NEW_PASSWORD); works with an expired one')
    .action(async (_opts: unknown, command: Command) => {
      const options = globalOptions(command);
      if (!options.as) throw new CliError('Whose password? --as USERNAME', 2, 'AUTH.USER_REQUIRED');
      const username = options.as;
      const currentPassword = await readPassword(`Current password for ${username}: `);
      const newPassword = await readNewPassword('TRIAL_LEDGER_NEW_PASSWORD', username);
      const user = await withExistingStore(options, async (store) => (await openIdentity(store)).auth.changePassword({ username, currentPassword, newPassword }, { source: 'cli' }));
      printUser(options, 'password changed', user);
    });

  users
    .command('reset-password <username>')
    .description('Set a temporary password the user must change at the next login (--as ADMIN; new from $TRIAL_LEDGER_NEW_PASSWORD)')
    .option('--reason <text>', 'why')
    .action(async (username: string, opts: { reason?: string }, command: Command) => {
      const options = globalOptions(command);
      const user = await asActingUser(options, async (identity, actor) => {
        const newPassword = await readNewPassword('TRIAL_LEDGER_NEW_PASSWORD', username);
        return identity.users.resetPassword(actor, { username, newPassword, reason: opts.reason ?? null }, 'cli');
      });
      printUser(options, 'password reset', user);
    });
};
