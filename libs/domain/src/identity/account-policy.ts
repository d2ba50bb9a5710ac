import type { DomainEvent } from '../shared/decider';
import { invalid } from '../shared/domain-error';

/**
 * The account policy as a fact of the ledger (Part 11 §11.300): password length, history and age,
 * lockout, temporary-password lifetime and session limits come from validated configuration, and each
 * time a server starts with settings other than the last recorded ones, the change is recorded — so
 * an audit can tell which rules applied to every login, lockout and signature, and who could have
 * weakened them when.
 */
export const ACCOUNT_POLICY_STREAM_ID = 'account-policy';

export interface AccountPolicySettings {
  /** §11.300(a)/(b): passwords of at least this many characters. */
  readonly passwordMinLength: number;
  /** Bounds the hashing work one request can cause. */
  readonly passwordMaxLength: number;
  /** A new password may not equal any of the last N (the current one included). */
  readonly passwordHistory: number;
  /** Days after which a password must be changed before the next login; 0 = never. */
  readonly passwordMaxAgeDays: number;
  /** Consecutive failures (logins and signatures) that lock the account. */
  readonly maxFailedAttempts: number;
  readonly lockoutMinutes: number;
  /** Lifetime of an administrator-chosen password (users add, reset-password): it only allows choosing one's own. */
  readonly temporaryPasswordHours: number;
  /** A session unused this long is closed (SPEC §5: sessions expire after inactivity). */
  readonly sessionInactivityMinutes: number;
  /** A session ends this long after login whatever its use. */
  readonly sessionAbsoluteMinutes: number;
}

/** The settings in the order events list them; a new setting is added at the end (and to `before` as absent). */
export const ACCOUNT_POLICY_SETTINGS: readonly (keyof AccountPolicySettings)[] = [
  'passwordMinLength', 'passwordMaxLength', 'passwordHistory', 'passwordMaxAgeDays', 'maxFailedAttempts',
  'lockoutMinutes', 'temporaryPasswordHours', 'sessionInactivityMinutes', 'sessionAbsoluteMinutes',
];

/**
 * A server started with an account policy other than the last one recorded (`before` null: the first
 * one recorded on this ledger). Attributed to the system actor with source `system`: the configuration
 * changed it, not a user of the application; `changed` names the settings that differ.
 */
export type AccountPolicyChanged = DomainEvent<'AccountPolicyChanged', {
  before: AccountPolicySettings | null;
  after: AccountPolicySettings;
  changed: (keyof AccountPolicySettings)[];
}>;

export type AccountPolicyEvent = AccountPolicyChanged;

/** The policy last recorded on the stream, or null when none was. */
export const evolveAccountPolicy = (_recorded: AccountPolicySettings | null, event: AccountPolicyEvent): AccountPolicySettings | null => event.data.after;

/** Only the settings, each a whole number: nothing else of a configuration object enters the ledger. */
const settingsOf = (policy: AccountPolicySettings): AccountPolicySettings => {
  const picked: Record<string, number> = {};
  for (const name of ACCOUNT_POLICY_SETTINGS) {
    const value = policy[name];
    if (!Number.isSafeInteger(value) || value < 0) invalid('IDENTITY.POLICY_INVALID', `The account policy's ${name} must be a whole number ≥ 0`, { setting: name });
    picked[name] = value;
  }
  return picked as unknown as AccountPolicySettings;
};

/** Records the configured policy when it differs from the recorded one; nothing when they agree. */
export const decideAccountPolicy = (recorded: AccountPolicySettings | null, configured: AccountPolicySettings): AccountPolicyEvent[] => {
  const after = settingsOf(configured);
  const changed = ACCOUNT_POLICY_SETTINGS.filter((name) => recorded === null || recorded[name] !== after[name]);
  return changed.length === 0 ? [] : [{ type: 'AccountPolicyChanged', data: { before: recorded, after, changed } }];
};
