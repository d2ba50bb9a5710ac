import type { AccountPolicySettings } from '@trial-ledger/domain';

/**
 * Account and session rules (SPEC §5; 21 CFR Part 11 §11.300). Defaults follow common GCP-system
 * practice; a deployment sets its own through configuration, never by code change.
 */
export interface ScryptParameters {
  /** CPU/memory cost N (a power of two). Memory used is 128 · N · r bytes: 32 MiB at N = 2^15, r = 8. */
  readonly cost: number;
  readonly blockSize: number;
  readonly parallelization: number;
  readonly keyLength: number;
  readonly saltLength: number;
}

/** The settings the ledger records (`AccountPolicyChanged`, see the domain's `AccountPolicySettings`), and how passwords are hashed. */
export interface IdentityPolicy extends AccountPolicySettings {
  readonly scrypt: ScryptParameters;
}

export const DEFAULT_SCRYPT: ScryptParameters = { cost: 2 ** 15, blockSize: 8, parallelization: 1, keyLength: 32, saltLength: 16 };

export const DEFAULT_IDENTITY_POLICY: IdentityPolicy = {
  passwordMinLength: 12,
  passwordMaxLength: 256,
  passwordHistory: 5,
  passwordMaxAgeDays: 90,
  maxFailedAttempts: 5,
  lockoutMinutes: 30,
  temporaryPasswordHours: 72,
  sessionInactivityMinutes: 15,
  sessionAbsoluteMinutes: 12 * 60,
  scrypt: DEFAULT_SCRYPT,
};

/** The policy with overrides, e.g. from environment variables or a test. */
export const identityPolicy = (overrides: Partial<IdentityPolicy> = {}): IdentityPolicy => ({
  ...DEFAULT_IDENTITY_POLICY,
  ...overrides,
  scrypt: { ...DEFAULT_SCRYPT, ...(overrides.scrypt ?? {}) },
});

const positiveInt = (value: string | undefined): number | undefined => {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
};

/** The environment variable that sets each configurable setting of the account policy. */
export const ACCOUNT_POLICY_VARIABLES = {
  passwordMinLength: 'TRIAL_LEDGER_PASSWORD_MIN_LENGTH',
  passwordHistory: 'TRIAL_LEDGER_PASSWORD_HISTORY',
  passwordMaxAgeDays: 'TRIAL_LEDGER_PASSWORD_MAX_AGE_DAYS',
  maxFailedAttempts: 'TRIAL_LEDGER_MAX_FAILED_ATTEMPTS',
  lockoutMinutes: 'TRIAL_LEDGER_LOCKOUT_MINUTES',
  temporaryPasswordHours: 'TRIAL_LEDGER_TEMPORARY_PASSWORD_HOURS',
  sessionInactivityMinutes: 'TRIAL_LEDGER_SESSION_INACTIVITY_MINUTES',
  sessionAbsoluteMinutes: 'TRIAL_LEDGER_SESSION_ABSOLUTE_MINUTES',
} as const satisfies Partial<Record<keyof AccountPolicySettings, string>>;

/** The settings an environment sets explicitly (unset, empty or malformed variables are absent). */
export const accountPolicyOverridesFromEnv = (env: NodeJS.ProcessEnv = process.env): Partial<AccountPolicySettings> =>
  Object.fromEntries(
    Object.entries(ACCOUNT_POLICY_VARIABLES)
      .map(([setting, variable]) => [setting, positiveInt(env[variable])] as const)
      .filter(([, value]) => value !== undefined),
  ) as Partial<AccountPolicySettings>;

/**
 * Overrides read from `TRIAL_LEDGER_*` variables (e.g. `TRIAL_LEDGER_SESSION_INACTIVITY_MINUTES=30`),
 * for the server and the CLI alike. Unset or malformed variables keep the default.
 */
export const identityPolicyFromEnv = (env: NodeJS.ProcessEnv = process.env): IdentityPolicy => identityPolicy(accountPolicyOverridesFromEnv(env));
