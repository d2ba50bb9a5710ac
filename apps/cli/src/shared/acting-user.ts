import { executeCommand, type Command, type CommandEnvelope, type CommandOutcome } from '@trial-ledger/command-pipeline';
import { DomainError, type Actor, type Role } from '@trial-ledger/domain';
import type { EventSource } from '@trial-ledger/event-store';
import { Identity, identityPolicyFromEnv, stderrSecurityLogger } from '@trial-ledger/identity';
import { systemClock, type EventStore } from '@trial-ledger/event-store';
import type { GlobalOptions } from './cli-context';
import { CliError } from './cli-errors';
import { readPassword } from './prompt-password';

/**
 * The identity service over the CLI's store, with the policy from `TRIAL_LEDGER_*` variables; its
 * security log goes to stderr so that `--json` output on stdout stays parseable.
 */
export const openIdentity = (store: EventStore): Identity =>
  new Identity(store, systemClock, identityPolicyFromEnv(), { logger: stderrSecurityLogger });

/**
 * The acting user of a CLI command (`--as USER`): authenticated by the password from
 * `TRIAL_LEDGER_PASSWORD` or a TTY prompt, every attempt recorded by the identity service
 * (Part 11 §11.10(d), §11.300). There is no anonymous or default user.
 */
export const actingUser = async (options: GlobalOptions, identity: Identity, source: EventSource = 'cli'): Promise<Actor> => {
  if (!options.as) throw new CliError('This command needs the acting user: --as USERNAME', 2, 'AUTH.USER_REQUIRED');
  const password = await readPassword(`Password for ${options.as}: `);
  return identity.auth.verifyPassword(options.as, password, source);
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
