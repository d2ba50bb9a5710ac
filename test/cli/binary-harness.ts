import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

/** The built binary (`npm run build` first): tests that need the process's own umask, exit status and environment. */
export const BIN = resolve(__dirname, '../../bin/trial-ledger.js');

export interface BinaryRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `trial-ledger ARGS` as a separate process with extra environment variables. */
export const runBinary = (args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<BinaryRun> =>
  new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...options.env }, cwd: options.cwd }, (error, stdout, stderr) => {
      done({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
