import { executeCommand, type Command, type CommandEnvelope, type CommandOutcome } from '@trial-ledger/command-pipeline';
import { DomainError, type Actor, type Role } from '@trial-ledger/domain';
import type { EventSource } from '@trial-ledger/event-store';
import {
  ACCOUNT_POLICY_VARIABLES,
  Identity,
  accountPolicyOverridesFromEnv,
  identityPolicy,
  identityPolicyFromEnv,
  recordedAccountPolicy,
  stderrSecurityLogger,
  type IdentityPolicy,
  type RunSignIn,
} from '@trial-ledger/identity';
import { systemClock, type EventStore } from '@trial-ledger/event-store';
import type { GlobalOptions } from './cli-context';
import { CliError } from './cli-errors';
import { readPassword } from './prompt-password';

/**
 * The account policy a CLI command applies: the one recorded on the ledger (the last
 * `AccountPolicyChanged`, written by `serve`), whatever the command's own environment leaves unset —
 * else anyone with a shell could lift the lockout, the password history or the expiry for their own
 * run (`TRIAL_LEDGER_MAX_FAILED_ATTEMPTS=100 … --as ivy`) without a trace in the ledger (§11.300(b)(d)).
 * A variable that sets another value than the recorded one is refused, not ignored: only a server start
 * records a change of policy. A ledger on which no policy was recorded yet takes the environment's.
 */
export const cliAccountPolicy = async (store: EventStore, env: NodeJS.ProcessEnv = process.env): Promise<IdentityPolicy> => {
  const configured = identityPolicyFromEnv(env);
  const recorded = await recordedAccountPolicy(store);
  if (recorded === null) return configured;
  const overrides = accountPolicyOverridesFromEnv(env);
  const differing = (Object.keys(overrides) as (keyof typeof overrides & keyof typeof ACCOUNT_POLICY_VARIABLES)[]).filter((setting) => overrides[setting] !== recorded[setting]);
  if (differing.length > 0) {
    const names = differing.map((setting) => `${ACCOUNT_POLICY_VARIABLES[setting]} (recorded ${setting}: ${recorded[setting]})`).join(', ');
    throw new CliError(
      `${names} ${differing.length === 1 ? 'differs' : 'differ'} from the account policy recorded on this ledger, which the CLI applies; unset ${differing.length === 1 ? 'it' : 'them'}, or start serve with the new settings to record the change`,
      2,
      'CONFIG.ACCOUNT_POLICY_NOT_RECORDED',
    );
  }
  return identityPolicy({ ...recorded, scrypt: configured.scrypt });
};

/**
 * The identity service over the CLI's store, under the ledger's recorded account policy
 * (`cliAccountPolicy`); its security log goes to stderr so that `--json` output on stdout stays parseable.
 */
export const openIdentity = async (store: EventStore): Promise<Identity> =>
  new Identity(store, systemClock, await cliAccountPolicy(store), { logger: stderrSecurityLogger });

/**
 * The acting user of a CLI command (`--as USER`): authenticated by the password from
 * `TRIAL_LEDGER_PASSWORD` or a TTY prompt, every attempt recorded by the identity service
 * (Part 11 §11.10(d), §11.300). There is no anonymous or default user.
 */
export const actingUser = async (options: GlobalOptions, identity: Identity, source: EventSource = 'cli'): Promise<Actor> =>
  (await signInActingUser(options, identity, source)).actor;

/**
 * `actingUser` with the time of the sign-in, for a command that records many things one after the other
 * (an import): it confirms the user before each (`identity.auth.confirmRunActor`), as the API does per request.
 */
export const signInActingUser = async (options: GlobalOptions, identity: Identity, source: EventSource = 'cli'): Promise<RunSignIn> => {
  if (!options.as) throw new CliError('This command needs the acting user: --as USERNAME', 2, 'AUTH.USER_REQUIRED');
  const password = await readPassword(`Password for ${options.as}: `);
  return identity.auth.signInForRun(options.as, password, source);
};

/**
 * Runs a command as the acting user; a role refusal by the domain is recorded as an
 * `AuthorizationRefused` event and reported in the security log before it is rethrown, as the API's
 * guard does (SPEC §5: every refusal is logged).
 */
export const executeAsActingUser = async (
  store: EventStore,
  identity: Identity,
  command: Command,
  envelope: CommandEnvelope & { readonly actor: Actor },
): Promise<CommandOutcome> => {
  try {
    return await executeCommand(store, command, envelope);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'AUTH.ROLE_NOT_ALLOWED') {
      const allowed = Array.isArray(error.details?.allowed) ? (error.details.allowed as Role[]) : [];
      await identity.authorization.recordRefusal(envelope.actor, command.type, allowed, envelope.source);
    }
    throw error;
  }
};
