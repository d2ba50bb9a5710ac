import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { CliError } from './cli-errors';

/**
 * The acting user's password: `TRIAL_LEDGER_PASSWORD` (or another variable), else a prompt on a TTY
 * with echo off. There is no default password anywhere (Part 11 §11.300).
 */
export const readPassword = async (prompt: string, variable = 'TRIAL_LEDGER_PASSWORD'): Promise<string> => {
  const fromEnv = process.env[variable];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) throw new CliError(`Set ${variable} or run on a terminal to be asked for the password`, 2, 'AUTH.PASSWORD_REQUIRED');
  const muted = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  process.stderr.write(prompt);
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
};
