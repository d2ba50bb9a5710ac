import {
  ACCOUNT_POLICY_STREAM_ID,
  SYSTEM_ACTOR,
  decideAccountPolicy,
  evolveAccountPolicy,
  type AccountPolicyEvent,
  type AccountPolicySettings,
} from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import { handleCommand, type CommandOutcome, type PipelineOptions } from '../handle-command';
import { toRecorded } from '../to-recorded';

/**
 * Records the configured account policy when it differs from the last one on the ledger. Through the
 * pipeline like any command, so two servers starting together with the same new policy record it
 * once: the second one's append conflicts, it reads again and finds nothing left to record.
 */
export const recordAccountPolicy = async (store: EventStore, configured: AccountPolicySettings, options: PipelineOptions = {}): Promise<CommandOutcome> =>
  handleCommand(
    store,
    {
      primaryStream: ACCOUNT_POLICY_STREAM_ID,
      readStreams: [],
      decide: (streams) => {
        const recorded = (streams.get(ACCOUNT_POLICY_STREAM_ID) ?? []).map((e) => toRecorded<AccountPolicyEvent>(e)).reduce(evolveAccountPolicy, null);
        return { writes: [{ streamId: ACCOUNT_POLICY_STREAM_ID, events: decideAccountPolicy(recorded, configured) }], protocolVersion: null };
      },
    },
    { actor: SYSTEM_ACTOR, source: 'system', reason: 'account policy from the configuration at server start' },
    options,
  );
