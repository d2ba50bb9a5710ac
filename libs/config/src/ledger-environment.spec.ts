import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigurationError, LEDGER_VARIABLES, ledgerConfig } from './ledger-environment';

const ROOT = resolve(__dirname, '../../..');

const refusal = (env: Record<string, string>): ConfigurationError => {
  try {
    ledgerConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('the configuration was accepted');
};

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return /\.ts$/.test(name) && !/\.(spec|e2e-spec)\.ts$/.test(name) ? [path] : [];
  });

describe('the ledger configuration schema', () => {
  it('given no variables, then every component keeps its default and the log level is info', () => {
    expect(ledgerConfig({ PATH: '/usr/bin', LEDGER_FILE: '~/books.ledger' })).toEqual({ logLevel: 'info', throttle: { perAddress: 30, perUser: 10 }, identityPolicy: {} });
  });

  it('given valid values, then a typed configuration (numbers as numbers)', () => {
    const config = ledgerConfig({ LEDGER_STORE: 'postgres://ledger@db/ledger', TRIAL_LEDGER_LOCKOUT_MINUTES: '45', TRIAL_LEDGER_PASSWORD_HISTORY: '0', TRIAL_LEDGER_LOG_LEVEL: 'warn' });
    expect(config).toMatchObject({ storeUrl: 'postgres://ledger@db/ledger', logLevel: 'warn', identityPolicy: { lockoutMinutes: 45, passwordHistory: 0 } });
  });

  it('treats an empty variable as unset (FOO= cmd)', () => {
    expect(ledgerConfig({ TRIAL_LEDGER_LOCKOUT_MINUTES: '' }).identityPolicy.lockoutMinutes).toBeUndefined();
  });

  it.each([
    ['a word for a number', { TRIAL_LEDGER_LOCKOUT_MINUTES: 'thirty' }, 'TRIAL_LEDGER_LOCKOUT_MINUTES must be a whole number'],
    ['a fraction', { TRIAL_LEDGER_MAX_FAILED_ATTEMPTS: '2.5' }, 'TRIAL_LEDGER_MAX_FAILED_ATTEMPTS must be a whole number'],
    ['an exponent', { TRIAL_LEDGER_SESSION_INACTIVITY_MINUTES: '1e3' }, 'TRIAL_LEDGER_SESSION_INACTIVITY_MINUTES must be a whole number'],
    ['a negative number', { TRIAL_LEDGER_PASSWORD_HISTORY: '-1' }, 'TRIAL_LEDGER_PASSWORD_HISTORY must be a whole number'],
    ['zero failed attempts (no lockout at all)', { TRIAL_LEDGER_MAX_FAILED_ATTEMPTS: '0' }, 'from 1 to 100'],
    ['a password minimum below 8', { TRIAL_LEDGER_PASSWORD_MIN_LENGTH: '4' }, 'TRIAL_LEDGER_PASSWORD_MIN_LENGTH must be a whole number from 8 to 256'],
    ['an unknown store scheme', { LEDGER_STORE: 'mysql://db/ledger' }, 'LEDGER_STORE must be sqlite:FILE'],
    ['an unknown log level', { TRIAL_LEDGER_LOG_LEVEL: 'verbose' }, 'TRIAL_LEDGER_LOG_LEVEL must be one of'],
    ['a misspelt setting', { TRIAL_LEDGER_LOCKOUT_MINUTE: '45' }, 'TRIAL_LEDGER_LOCKOUT_MINUTE is not a trial-ledger setting'],
    ['a misspelt password variable', { TRIAL_LEDGER_PASWORD: 'x' }, 'TRIAL_LEDGER_PASWORD is not a trial-ledger setting (did you mean TRIAL_LEDGER_PASSWORD?'],
    ['a misspelt setting, named with its likeliest meant', { TRIAL_LEDGER_LOCKOUT_MINUTE: '45' }, '(did you mean TRIAL_LEDGER_LOCKOUT_MINUTES?'],
  ])('given %s, then CONFIG.INVALID naming the variable', (_what, env, message) => {
    const error = refusal(env);
    expect(error.code).toBe('CONFIG.INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(message);
  });

  it('never echoes a value back (some are passwords)', () => {
    const error = refusal({ TRIAL_LEDGER_PASSWORD: 'hunter2 correct horse', TRIAL_LEDGER_LOCKOUT_MINUTES: 'hunter2' });
    expect(error.message).not.toContain('hunter2');
  });

  it('lists every variable the code reads, and the README table lists exactly these', () => {
    const read = new Set<string>();
    for (const file of [...sourceFiles(join(ROOT, 'apps')), ...sourceFiles(join(ROOT, 'libs'))]) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\b((?:TRIAL_)?LEDGER_[A-Z][A-Z0-9_]*)\b/g)) read.add(match[1]);
    }
    read.delete('LEDGER_ID_PATTERN');
    read.delete('LEDGER_KEY');
    read.delete('LEDGER_CONFIG');
    read.delete('LEDGER_VARIABLES');
    expect([...read].sort()).toEqual([...LEDGER_VARIABLES].sort());
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'));
    const documented = [...table.matchAll(/^\| `((?:TRIAL_)?LEDGER_[A-Z0-9_]+)`/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...LEDGER_VARIABLES].sort());
  });
});
