import { readFile } from 'node:fs/promises';
import { buffer as readAll } from 'node:stream/consumers';
import type { Command } from 'commander';
import { actingUser, openIdentity } from '../shared/acting-user';
import { globalOptions, withStore } from '../shared/cli-context';
import { CliError } from '../shared/cli-errors';
import { terminalSafe } from '../shared/output';
import { startProgress } from '../shared/progress';
import { importLines, splitLines, type ImportReport } from './import-file';

const describeReport = (report: ImportReport): string => {
  const done = `${report.applied} line(s) applied (${report.eventsWritten} event(s)), ${report.skipped} already in the ledger and skipped`;
  if (!report.failure) return `Imported ${report.file}: ${done}.`;
  const f = report.failure;
  const what = f.command ? `${f.command} ` : '';
  return [
    `${report.file}:${f.line}: ${what}refused [${f.code}] ${f.message}`,
    `Stopped at line ${f.line}: ${done}; nothing of line ${f.line} or after it was written.`,
    `Fix line ${f.line} and run the same import again: lines already applied are skipped by their idempotency keys.`,
  ].join('\n');
};

/** `trial-ledger import FILE.jsonl --as USER`: one command per line (SPEC §6). */
export const registerImport = (program: Command): void => {
  program
    .command('import')
    .description('Record one command per line of a JSON Lines file, as the acting user (source "import")')
    .argument('<file>', 'JSON Lines: {"command", "studyId", "subjectId", "payload", "idempotencyKey"} per line; - reads standard input')
    .addHelpText(
      'after',
      [
        '',
        'Every line needs an idempotencyKey. The import stops at the first bad line (line number, code and',
        'message; --json for a report), keeps every line before it, and writes nothing of it. Fix the line and',
        're-run the same file: applied lines are skipped by key; an applied line that was edited is refused',
        '(IDEMPOTENCY.KEY_REUSED) — change recorded data with a CorrectEntry line and a reason.',
        '',
        'Example line:',
        '  {"command":"RecordDose","studyId":"LANR-HGNET-01","subjectId":"S001","idempotencyKey":"site3-dose-S001-4",',
        '   "payload":{"cycle":4,"administeredOn":"2026-02-02","doseMg":120,"route":"deep-sc","lotNumber":"LAN26017","injectionSite":"left buttock"}}',
      ].join('\n'),
    )
    .action(async (file: string, _opts: unknown, command: Command) => {
      const options = globalOptions(command);
      let bytes: Uint8Array;
      try {
        // `-` is standard input (e.g. `extract-visits | trial-ledger import - --as ivy`); the password
        // then comes from TRIAL_LEDGER_PASSWORD, as standard input is not a terminal to prompt on.
        bytes = file === '-' ? await readAll(process.stdin) : await readFile(file);
      } catch (error) {
        throw new CliError(`Cannot read ${file === '-' ? 'standard input' : file}: ${(error as Error).message}`, 2, 'IMPORT.FILE_UNREADABLE');
      }
      const report = await withStore(options, async (store) => {
        const identity = await openIdentity(store);
        const actor = await actingUser(options, identity, 'import');
        const progress = startProgress('import', splitLines(bytes).length);
        try {
          return await importLines(store, bytes, actor, { file: file === '-' ? '<stdin>' : file, identity, onProgress: (done) => progress.update(done) });
        } finally {
          progress.stop();
        }
      });
      if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      // The report quotes the file's own text (an unknown command name, a field): shown, never acted on by the terminal.
      else if (report.ok) process.stdout.write(`${terminalSafe(describeReport(report), true)}\n`);
      else process.stderr.write(`${terminalSafe(describeReport(report), true)}\n`);
      if (!report.ok) process.exitCode = 1;
    });
};
