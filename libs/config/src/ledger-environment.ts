import { closest, distance } from 'fastest-levenshtein';
import { plainToInstance } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, ValidateBy, validateSync, type ValidationOptions } from 'class-validator';

/**
 * Every environment variable trial-ledger reads (the README's configuration table lists the same
 * ones). Checked once at start-up, by the API (through @nestjs/config) and by every CLI command: an
 * invalid value stops the program with `CONFIG.INVALID` naming the variable, never a silent default —
 * a lockout setting that quietly fell back would weaken Part 11 §11.300 controls unnoticed.
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const STORE_URL = /^(sqlite:.+|(postgres|postgresql|kurrentdb|kurrentdb\+discover|esdb|esdb\+discover):\/\/.+)$/;
const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]+$/u;

/** A decimal whole number from `min` to `max`, written plainly ("30", not "3e1", " 30" or "30.0"). */
const WholeNumber = (min: number, max: number, options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'wholeNumber',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && /^(0|[1-9]\d{0,8})$/.test(value) && Number(value) >= min && Number(value) <= max,
        defaultMessage: (args) => `${args?.property} must be a whole number from ${min} to ${max}`,
      },
    },
    options,
  );

/** The variables as strings, as the environment gives them; `ledgerConfig` turns them into a typed config. */
export class LedgerEnvironment {
  @IsOptional() @IsString() @Matches(STORE_URL, { message: 'LEDGER_STORE must be sqlite:FILE, postgres://…, kurrentdb://… or esdb://…' })
  LEDGER_STORE?: string;

  @IsOptional() @Matches(NO_CONTROL_CHARACTERS, { message: 'LEDGER_KEY_FILE must be a file path' })
  LEDGER_KEY_FILE?: string;

  @IsOptional() @Matches(NO_CONTROL_CHARACTERS, { message: 'LEDGER_CHECKPOINT_FILE must be a file path' })
  LEDGER_CHECKPOINT_FILE?: string;

  /** The checkpoint-signing key's directory (default `$XDG_CONFIG_HOME/trial-ledger`), never beside the store. */
  @IsOptional() @Matches(NO_CONTROL_CHARACTERS, { message: 'TRIAL_LEDGER_KEY_DIR must be a directory path' })
  TRIAL_LEDGER_KEY_DIR?: string;

  /** The auditor's pinned public keys (default `KEY_DIR/trusted-keys.json`), outside the store's directory. */
  @IsOptional() @Matches(NO_CONTROL_CHARACTERS, { message: 'TRIAL_LEDGER_TRUST_FILE must be a file path' })
  TRIAL_LEDGER_TRUST_FILE?: string;

  /** Secrets for CLI runs (the acting user's password, a new password, the demo team's shared one): only their presence is checked. */
  @IsOptional() @IsString() TRIAL_LEDGER_PASSWORD?: string;
  @IsOptional() @IsString() TRIAL_LEDGER_NEW_PASSWORD?: string;
  @IsOptional() @IsString() TRIAL_LEDGER_DEMO_PASSWORD?: string;

  /** Part 11 §11.300 account policy (defaults in libs/identity/src/identity-policy.ts). */
  @IsOptional() @WholeNumber(8, 256) TRIAL_LEDGER_PASSWORD_MIN_LENGTH?: string;
  @IsOptional() @WholeNumber(0, 100) TRIAL_LEDGER_PASSWORD_HISTORY?: string;
  @IsOptional() @WholeNumber(0, 3650) TRIAL_LEDGER_PASSWORD_MAX_AGE_DAYS?: string;
  @IsOptional() @WholeNumber(1, 100) TRIAL_LEDGER_MAX_FAILED_ATTEMPTS?: string;
  @IsOptional() @WholeNumber(1, 525_600) TRIAL_LEDGER_LOCKOUT_MINUTES?: string;
  @IsOptional() @WholeNumber(1, 8760) TRIAL_LEDGER_TEMPORARY_PASSWORD_HOURS?: string;
  @IsOptional() @WholeNumber(1, 1440) TRIAL_LEDGER_SESSION_INACTIVITY_MINUTES?: string;
  @IsOptional() @WholeNumber(1, 10_080) TRIAL_LEDGER_SESSION_ABSOLUTE_MINUTES?: string;

  /** Attempts per minute on the password routes (login, password change, signature), per client address and per username. */
  @IsOptional() @WholeNumber(1, 100_000) TRIAL_LEDGER_THROTTLE_PER_ADDRESS?: string;
  @IsOptional() @WholeNumber(1, 100_000) TRIAL_LEDGER_THROTTLE_PER_USER?: string;

  /** The API's structured log (nestjs-pino): default `info` (one access line per request). */
  @IsOptional() @IsIn(LOG_LEVELS, { message: `TRIAL_LEDGER_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  TRIAL_LEDGER_LOG_LEVEL?: string;
}

/**
 * Every variable of the schema above, by name. An unknown `TRIAL_LEDGER_*` name is refused too: it is
 * a typo (`…_LOCKOUT_MINUTE` for `…_LOCKOUT_MINUTES`) that would otherwise leave the default silently in force.
 */
export const LEDGER_VARIABLES = [
  'LEDGER_STORE',
  'LEDGER_KEY_FILE',
  'LEDGER_CHECKPOINT_FILE',
  'TRIAL_LEDGER_KEY_DIR',
  'TRIAL_LEDGER_TRUST_FILE',
  'TRIAL_LEDGER_PASSWORD',
  'TRIAL_LEDGER_NEW_PASSWORD',
  'TRIAL_LEDGER_DEMO_PASSWORD',
  'TRIAL_LEDGER_PASSWORD_MIN_LENGTH',
  'TRIAL_LEDGER_PASSWORD_HISTORY',
  'TRIAL_LEDGER_PASSWORD_MAX_AGE_DAYS',
  'TRIAL_LEDGER_MAX_FAILED_ATTEMPTS',
  'TRIAL_LEDGER_LOCKOUT_MINUTES',
  'TRIAL_LEDGER_TEMPORARY_PASSWORD_HOURS',
  'TRIAL_LEDGER_SESSION_INACTIVITY_MINUTES',
  'TRIAL_LEDGER_SESSION_ABSOLUTE_MINUTES',
  'TRIAL_LEDGER_THROTTLE_PER_ADDRESS',
  'TRIAL_LEDGER_THROTTLE_PER_USER',
  'TRIAL_LEDGER_LOG_LEVEL',
] as const satisfies ReadonlyArray<keyof LedgerEnvironment>;

/** The validated configuration, typed; `undefined` where the variable is unset (the component's default applies). */
export interface LedgerConfig {
  readonly storeUrl?: string;
  readonly keyFile?: string;
  readonly checkpointFile?: string;
  readonly logLevel: LogLevel;
  /** Attempts per minute on the password routes, per client address and per attempted username. */
  readonly throttle: { readonly perAddress: number; readonly perUser: number };
  readonly identityPolicy: {
    readonly passwordMinLength?: number;
    readonly passwordHistory?: number;
    readonly passwordMaxAgeDays?: number;
    readonly maxFailedAttempts?: number;
    readonly lockoutMinutes?: number;
    readonly temporaryPasswordHours?: number;
    readonly sessionInactivityMinutes?: number;
    readonly sessionAbsoluteMinutes?: number;
  };
}

/** The refusal: exit status 2 in the CLI (like a usage error), a failed start for the API. */
export class ConfigurationError extends Error {
  readonly code = 'CONFIG.INVALID';
  readonly exitCode = 2;
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigurationError';
  }

  get details(): { problems: readonly string[] } {
    return { problems: this.problems };
  }
}

/**
 * Per minute: a person who mistypes a password a few times is never slowed down, a script guessing
 * passwords (or filling the ledger with LoginFailed events) is held to these rates.
 */
export const DEFAULT_THROTTLE = { perAddress: 30, perUser: 10 } as const;

/** The setting a misspelt name (a letter left out, two swapped) most likely meant, when one is within two edits. */
const likeliestMeant = (name: string): string => {
  const meant = closest(name, [...LEDGER_VARIABLES]);
  return distance(name, meant) <= 2 ? `did you mean ${meant}? ` : '';
};

const num = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));

/**
 * Validates the `TRIAL_LEDGER_*`/`LEDGER_*` variables of `env` and returns the typed configuration.
 * An empty variable counts as unset (`FOO= cmd`, compose's `${FOO:-}`); values are never echoed back,
 * as some are passwords.
 */
export const ledgerConfig = (env: Readonly<Record<string, string | undefined>>): LedgerConfig => {
  const known: ReadonlySet<string> = new Set(LEDGER_VARIABLES);
  const ours = Object.fromEntries(Object.entries(env).filter(([name, value]) => (known.has(name) || name.startsWith('TRIAL_LEDGER_')) && value !== undefined && value !== ''));
  const problems = Object.keys(ours)
    .filter((name) => !known.has(name))
    .map((name) => `${name} is not a trial-ledger setting (${likeliestMeant(name)}see the configuration table in the README)`);
  const instance = plainToInstance(LedgerEnvironment, ours);
  for (const error of validateSync(instance, { validationError: { target: false, value: false } })) {
    problems.push(...Object.values(error.constraints ?? {}));
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return {
    storeUrl: instance.LEDGER_STORE,
    keyFile: instance.LEDGER_KEY_FILE,
    checkpointFile: instance.LEDGER_CHECKPOINT_FILE,
    logLevel: (instance.TRIAL_LEDGER_LOG_LEVEL as LogLevel | undefined) ?? 'info',
    throttle: { perAddress: num(instance.TRIAL_LEDGER_THROTTLE_PER_ADDRESS) ?? DEFAULT_THROTTLE.perAddress, perUser: num(instance.TRIAL_LEDGER_THROTTLE_PER_USER) ?? DEFAULT_THROTTLE.perUser },
    identityPolicy: {
      passwordMinLength: num(instance.TRIAL_LEDGER_PASSWORD_MIN_LENGTH),
      passwordHistory: num(instance.TRIAL_LEDGER_PASSWORD_HISTORY),
      passwordMaxAgeDays: num(instance.TRIAL_LEDGER_PASSWORD_MAX_AGE_DAYS),
      maxFailedAttempts: num(instance.TRIAL_LEDGER_MAX_FAILED_ATTEMPTS),
      lockoutMinutes: num(instance.TRIAL_LEDGER_LOCKOUT_MINUTES),
      temporaryPasswordHours: num(instance.TRIAL_LEDGER_TEMPORARY_PASSWORD_HOURS),
      sessionInactivityMinutes: num(instance.TRIAL_LEDGER_SESSION_INACTIVITY_MINUTES),
      sessionAbsoluteMinutes: num(instance.TRIAL_LEDGER_SESSION_ABSOLUTE_MINUTES),
    },
  };
};
