import { invalid, type Actor } from '@trial-ledger/domain';
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
  /**
   * When the acting user signed in (`signInForRun`). With `identity`, the actor is taken from the
   * identity stream again before every line (`confirmRunActor`): a role changed during the run applies
   * from the next line, a deactivation, lockout or password change recorded since ends the run there.
   */
  readonly authenticatedAt?: string;
  readonly onProgress?: (done: number, total: number) => void;
}

/** A line whose bytes are not UTF-8: refused, never decoded into U+FFFD in place of what the site wrote. */
export const NOT_UTF8 = Symbol('not UTF-8');
export type ImportSourceLine = string | typeof NOT_UTF8;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const decodeLine = (bytes: Uint8Array): ImportSourceLine => {
  try {
    return utf8.decode(bytes);
  } catch {
    return NOT_UTF8;
  }
};

/**
 * The lines of a file, each decoded on its own (a line feed byte never occurs inside a UTF-8 sequence),
 * so a stray Latin-1 byte is refused on its own line number: a UTF-8 BOM — at the start of the file, or of
 * any line, where files saved with one were joined (`cat site1.jsonl site2.jsonl`) — and the newline after
 * the last line are not part of a line, and a carriage return before a line feed is not part of the line.
 */
export const splitLines = (input: string | Uint8Array): ImportSourceLine[] => {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const lines: ImportSourceLine[] = [];
  for (let start = 0; start < bytes.length; ) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    const line = decodeLine(bytes.subarray(start, end > start && bytes[end - 1] === 0x0d ? end - 1 : end));
    lines.push(typeof line === 'string' ? line.replace(/^\uFEFF/, '') : line);
    start = end + 1;
  }
  return lines;
};

/**
 * Runs each line through the same validation and rules as the API, in order, each in its own
 * transaction (source `import`). Stops at the first bad line: every line before it is in the ledger,
 * nothing of it or after it is. Re-running the file skips what was applied, by idempotency key.
 */
export const importLines = async (store: EventStore, input: string | Uint8Array, actor: Actor, options: ImportOptions): Promise<ImportReport> => {
  const lines = splitLines(input);
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
    if (typeof text === 'string' && text.trim() === '') {
      blank += 1;
      continue;
    }
    let parsed: ReturnType<typeof parseImportLine> | null = null;
    try {
      const lineText = text === NOT_UTF8 ? invalid('IMPORT.INVALID_UTF8', 'The line is not valid UTF-8 text; save the file as UTF-8 and run the import again') : text;
      parsed = parseImportLine(lineText);
      const command = toSubjectCommand(parsed);
      const lineActor = options.identity && options.authenticatedAt !== undefined ? await options.identity.auth.confirmRunActor(actor, options.authenticatedAt) : actor;
      const envelope = {
        actor: lineActor,
        source: 'import',
        idempotencyKey: parsed.idempotencyKey,
        // The key is bound to the whole line, so an edited line cannot reuse it.
        requestHash: requestFingerprint(JSON.parse(lineText)),
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
