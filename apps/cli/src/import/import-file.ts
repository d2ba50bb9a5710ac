import type { Actor } from '@trial-ledger/domain';
import { executeCommand, requestFingerprint } from '@trial-ledger/command-pipeline';
import type { Identity } from '@trial-ledger/identity';
import { executeAsActingUser } from '../shared/acting-user';
import type { EventStore } from '@trial-ledger/event-store';
import { describeError } from '../shared/cli-errors';
import { parseImportLine, toSubjectCommand } from './import-line.parser';

/** Why the import stopped: the first bad line, by its 1-based number in the file. */
export interface ImportFailure {
  readonly line: number;
  readonly code: string;
  readonly message: string;
  readonly details?: unknown;
  readonly command?: string;
  readonly idempotencyKey?: string;
}

/** The outcome of one run; `--json` prints it as is. */
export interface ImportReport {
  readonly file: string;
  readonly ok: boolean;
  /** Lines read up to the end of the file or the first bad line (blank lines included). */
  readonly linesRead: number;
  /** Lines recorded by this run. */
  readonly applied: number;
  /** Lines already in the ledger (same idempotency key, same line): skipped, nothing written. */
  readonly skipped: number;
  readonly blank: number;
  readonly eventsWritten: number;
  readonly failure: ImportFailure | null;
}

export interface ImportOptions {
  readonly file: string;
  /** Records role refusals in the identity stream (SPEC §5); without it they are only reported. */
  readonly identity?: Identity;
  readonly onProgress?: (done: number, total: number) => void;
}

/** The lines of a file: a UTF-8 BOM and the newline after the last line are not lines. */
export const splitLines = (text: string): string[] => {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
};

/**
 * Runs each line through the same validation and rules as the API, in order, each in its own
 * transaction (source `import`). Stops at the first bad line: every line before it is in the ledger,
 * nothing of it or after it is. Re-running the file skips what was applied, by idempotency key.
 */
export const importLines = async (store: EventStore, text: string, actor: Actor, options: ImportOptions): Promise<ImportReport> => {
  const lines = splitLines(text);
  let applied = 0;
  let skipped = 0;
  let blank = 0;
  let eventsWritten = 0;
  const report = (linesRead: number, failure: ImportFailure | null): ImportReport => ({
    file: options.file,
    ok: failure === null,
    linesRead,
    applied,
    skipped,
    blank,
    eventsWritten,
    failure,
  });
  for (let index = 0; index < lines.length; index += 1) {
    const lineNumber = index + 1;
    const text = lines[index];
    if (text.trim() === '') {
      blank += 1;
      continue;
    }
    let parsed: ReturnType<typeof parseImportLine> | null = null;
    try {
      parsed = parseImportLine(text);
      const command = toSubjectCommand(parsed);
      const envelope = {
        actor,
        source: 'import',
        idempotencyKey: parsed.idempotencyKey,
        // The key is bound to the whole line, so an edited line cannot reuse it.
        requestHash: requestFingerprint(JSON.parse(text)),
        reason: typeof parsed.payload.reason === 'string' ? parsed.payload.reason : null,
      } as const;
      const outcome = options.identity
        ? await executeAsActingUser(store, options.identity, command, envelope)
        : await executeCommand(store, command, envelope);
      if (outcome.repeated) skipped += 1;
      else {
        applied += 1;
        eventsWritten += outcome.events.length;
      }
    } catch (error) {
      const { code, message, details } = describeError(error);
      return report(lineNumber, {
        line: lineNumber,
        code,
        message,
        ...(details === undefined ? {} : { details }),
        ...(parsed ? { command: parsed.command, idempotencyKey: parsed.idempotencyKey } : {}),
      });
    }
    options.onProgress?.(lineNumber, lines.length);
  }
  return report(lines.length, null);
};
