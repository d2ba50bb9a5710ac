import { ACCOUNT_POLICY_STREAM_ID, evolveAccountPolicy, type AccountPolicyChanged, type AccountPolicyEvent, type AccountPolicySettings } from '@trial-ledger/domain';
import { recordAccountPolicy, toRecorded } from '@trial-ledger/command-pipeline';
import type { Clock, EventStore } from '@trial-ledger/event-store';
import type { IdentityPolicy } from './identity-policy';

/**
 * At a server's start: records `AccountPolicyChanged` when the configured policy differs from the
 * last one recorded (the first start on a ledger records the first). Answers the event, or null when
 * the ledger already holds this policy. Only the policy's settings are recorded (the decider picks
 * them), never its hashing parameters.
 */
export const recordConfiguredAccountPolicy = async (store: EventStore, policy: IdentityPolicy, clock?: Clock): Promise<AccountPolicyChanged | null> => {
  const outcome = await recordAccountPolicy(store, policy, clock ? { clock } : {});
  const event = outcome.events[0];
  return event ? toRecorded<AccountPolicyChanged>(event) : null;
};

/** The account policy last recorded on the ledger (`AccountPolicyChanged`), or null when none was. */
export const recordedAccountPolicy = async (store: EventStore): Promise<AccountPolicySettings | null> =>
  (await store.readStream(ACCOUNT_POLICY_STREAM_ID)).map((e) => toRecorded<AccountPolicyEvent>(e)).reduce(evolveAccountPolicy, null);
