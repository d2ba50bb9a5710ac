import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { openIdentity, signInActingUser } from '../shared/acting-user';
import { globalOptions, withExistingStore } from '../shared/cli-context';
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

/** An import file is read whole before its first line is applied: far more than any site's export (some 500,000 lines). */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024;

const tooLarge = (name: string): CliError =>
  new CliError(`${name} is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB; split it into several files (each run skips the lines already applied)`, 2, 'IMPORT.FILE_TOO_LARGE');

/** Reads at most `MAX_IMPORT_BYTES` of a stream, refusing more (standard input, a pipe: their size is not known beforehand). */
const readBounded = async (stream: Readable, name: string): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    if (total > MAX_IMPORT_BYTES) throw tooLarge(name);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
};

/**
 * The bytes of an import file: a regular file, or a pipe (`-`, `<(extract-visits)`), up to `MAX_IMPORT_BYTES`.
 * A device (`/dev/zero`, `/dev/urandom`) or a directory is refused at once rather than read until memory
 * runs out (`IMPORT.FILE_UNREADABLE`), and a larger file before a byte of it is read (`IMPORT.FILE_TOO_LARGE`).
 */
const readImportSource = async (file: string): Promise<Uint8Array> => {
  if (file === '-') return readBounded(process.stdin, 'Standard input');
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${(error as Error).message}`, 2, 'IMPORT.FILE_UNREADABLE');
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile() && !stats.isFIFO() && !stats.isSocket()) {
      throw new CliError(`Cannot read ${file}: not a regular file (${stats.isDirectory() ? 'a directory' : 'a device'})`, 2, 'IMPORT.FILE_UNREADABLE');
    }
    if (stats.isFile() && stats.size > MAX_IMPORT_BYTES) throw tooLarge(file);
    return await readBounded(handle.createReadStream({ autoClose: false }), file);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`Cannot read ${file}: ${(error as Error).message}`, 2, 'IMPORT.FILE_UNREADABLE');
  } finally {
    await handle.close();
  }
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
      // `-` is standard input (e.g. `extract-visits | trial-ledger import - --as ivy`); the password
      // then comes from TRIAL_LEDGER_PASSWORD, as standard input is not a terminal to prompt on.
      const bytes = await readImportSource(file);
      const report = await withExistingStore(options, async (store) => {
        const identity = await openIdentity(store);
        const { actor, authenticatedAt } = await signInActingUser(options, identity, 'import');
        const progress = startProgress('import', splitLines(bytes).length);
        try {
          return await importLines(store, bytes, actor, { file: file === '-' ? '<stdin>' : file, identity, authenticatedAt, onProgress: (done) => progress.update(done) });
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
