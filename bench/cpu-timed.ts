import { writeSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * `node dist/bench/cpu-timed.js SCRIPT ARGS…`: runs SCRIPT as if started directly and, on exit, writes
 * the CPU seconds it used (user + system, every thread) to file descriptor 3 — the scale bench reports
 * them beside wall-clock time, which on a shared machine depends mostly on the other jobs.
 */
const [, , given, ...args] = process.argv;
const script = resolve(given);
process.argv = [process.argv[0], script, ...args];
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  try {
    writeSync(3, `${(user + system) / 1e6}\n`);
  } catch {
    // No descriptor 3 (run by hand): nothing to report to.
  }
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
require(script);
