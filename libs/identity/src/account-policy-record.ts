import { ACCOUNT_POLICY_SETTINGS, type AccountPolicyChanged, type AccountPolicySettings } from '@trial-ledger/domain';
import { recordAccountPolicy, toRecorded } from '@trial-ledger/command-pipeline';
import type { Clock, EventStore } from '@trial-ledger/event-store';
import type { IdentityPolicy } from './identity-policy';

/** The settings of a policy that the ledger records (hashing parameters are not policy: they are never compared). */
export const accountPolicySettings = (policy: IdentityPolicy): AccountPolicySettings =>
  Object.fromEntries(ACCOUNT_POLICY_SETTINGS.map((name) => [name, policy[name]])) as unknown as AccountPolicySettings;

/**
 * At a server's start: records `AccountPolicyChanged` when the configured policy differs from the
 * last one recorded (the first start on a ledger records the first). Answers the event, or null when
 * the ledger already holds this policy.
 */
export const recordConfiguredAccountPolicy = async (store: EventStore, policy: IdentityPolicy, clock?: Clock): Promise<AccountPolicyChanged | null> => {
  const outcome = await recordAccountPolicy(store, accountPolicySettings(policy), clock ? { clock } : {});
  const event = outcome.events[0];
  return event ? toRecorded<AccountPolicyChanged>(event) : null;
};
