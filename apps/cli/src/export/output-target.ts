import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { constants, createWriteStream, type Stats } from 'node:fs';
import { lstat, mkdir, open, realpath, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { parseCheckpoints } from '@trial-ledger/audit';
import { firstUnprintable, UNPRINTABLE_TEXT_CODE } from '@trial-ledger/domain';
import { CliError } from '../shared/cli-errors';

/**
 * Every file the CLI writes goes through this module, because an output path is user input and the
 * ledger sits next to it: `report --out ledger.sqlite` must not replace the database, a failed export
 * must not leave a half-written (or emptied) file, and `--out` must not follow a planted symlink.
 *
 * - the content goes to a temporary file in the destination's directory (mode 0600, created
 *   exclusively) and is renamed over the destination only once it is complete and flushed;
 * - the destination may not be the store or one of its side files, however the path is spelled
 *   (compared by real path and by device + inode, so `./data/../data/ledger.sqlite` and hard links
 *   are caught too) — not even with `--force`;
 * - an existing destination is replaced only with `--force`; a symlink or a non-file never is.
 */

/** Exit status of a refused output (the same as any other refusal; 2 stays for malformed options). */
export const EXIT_OUTPUT_REFUSED = 1;

export interface OutputPolicy {
  /** Files no output may replace or append to: the store, its side files, the key, the checkpoints. */
  readonly protectedFiles: readonly string[];
  /** Replace an existing regular file (`--force`). */
  readonly force?: boolean;
}

/** Where an export goes: a file (`--out FILE`, renamed into place by `commit`) or stdout (left open). */
export interface OutputTarget {
  readonly stream: Writable;
  readonly toStdout: boolean;
  readonly file: string | null;
  /** Flushes the temporary file and renames it onto the destination; a no-op for stdout. */
  commit(): Promise<void>;
  /** Removes the temporary file; the destination is left as it was. Safe after `commit`. */
  discard(): Promise<void>;
}

const statOrNull = async (path: string, follow: boolean): Promise<Stats | null> => {
  try {
    return follow ? await stat(path) : await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
};

/** The path with its directory's symlinks resolved (the last component is kept as it is). */
const realLocation = async (path: string): Promise<string> => {
  const absolute = resolve(path);
  let dir = dirname(absolute);
  const tail: string[] = [basename(absolute)];
  // Resolve the deepest directory that exists; the rest of the path does not exist yet.
  for (;;) {
    try {
      return join(await realpath(dir), ...tail);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(dir) === dir) return absolute;
      tail.unshift(basename(dir));
      dir = dirname(dir);
    }
  }
};

/**
 * The file an output path names, for every check and for the write alike: `..` is taken as written
 * (`missing/../x.csv` is `x.csv`, as `cd` and the temporary file's directory read it), never re-resolved
 * by the kernel through a directory that does not exist (the rename failed after the export was
 * recorded) or through a symlinked one (`link/../x.csv` was checked beside the link and written beside
 * its target).
 */
const destinationOf = (file: string): string => resolve(file);

/** SQLite's file header: the first 16 bytes of every database, whichever ledger or tool made it. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** How much of an existing file is read to tell what it is: a checkpoint line is well under 1 KiB. */
const SNIFF_BYTES = 16 * 1024;

/** The first line that holds anything: a checkpoint file's first signed checkpoint. */
const firstLine = (text: string): string => text.split('\n').find((line) => line.trim() !== '') ?? '';

const isCheckpointLine = (line: string): boolean => {
  try {
    return parseCheckpoints(line).length === 1;
  } catch {
    return false;
  }
};

/**
 * What kind of ledger file `file` is, by its content, or null for anything else (an earlier export). The
 * default key directory is shared between ledgers, and so is a `data/` directory (`npm run demo` writes
 * `data/demo.sqlite` beside `data/ledger.sqlite`): `--force` is meant to replace an earlier export, never
 * another ledger's store, its signed checkpoints (`data/demo.checkpoints.jsonl`), a signing key kept
 * outside the key directory or an auditor's trust file, which no export run against this one protects by
 * name.
 */
const ledgerFileKind = async (file: string): Promise<string | null> => {
  // Never waits on a FIFO or follows a symlink swapped in since the checks above.
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW).catch(() => null);
  if (handle === null) return null;
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    if (bytes.length >= SQLITE_HEADER.length && bytes.subarray(0, SQLITE_HEADER.length).equals(SQLITE_HEADER)) {
      return "a SQLite database, another ledger's store or a read-model file";
    }
    const text = bytes.toString('utf8');
    if (/^\s*-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) return "a private key, another ledger's signing key";
    if (/^\s*\{\s*"version"\s*:\s*1\s*,\s*"pins"\s*:/.test(text)) return "an auditor's trust file of pinned ledger keys";
    if (isCheckpointLine(firstLine(text))) return "a file of signed checkpoints, another ledger's evidence";
    return null;
  } finally {
    await handle.close();
  }
};

/**
 * Refuses an output path holding a control or bidirectional-override character, or a tab or line feed
 * (which free text may hold, a file name not): the name is written into what the export holds (the ADTTE
 * dictionary's title) and shown by every `ls` after it, where `adtte\u001b[2J.csv` clears the reader's
 * terminal and `report\u202Elmth.exe` reads as `reportexe.html`.
 */
const assertPrintableName = (file: string): void => {
  const tabOrLineFeed = /[\t\n]/.exec(file)?.[0];
  const character = firstUnprintable(file) ?? (tabOrLineFeed === undefined ? null : `U+${tabOrLineFeed.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
  if (character !== null) {
    refuse(UNPRINTABLE_TEXT_CODE, `Refusing to write ${file}: its name contains the control or bidirectional-override character ${character}; choose a printable file name`);
  }
};

const refuse = (code: string, message: string): never => {
  throw new CliError(message, EXIT_OUTPUT_REFUSED, code);
};

/** Refuses a destination that is (or would become) a ledger file, whatever its spelling. */
const assertNotLedgerFile = async (file: string, target: Stats | null, policy: OutputPolicy): Promise<void> => {
  const location = await realLocation(file);
  for (const guarded of policy.protectedFiles) {
    const guardedStat = await statOrNull(guarded, true);
    const sameInode = target !== null && guardedStat !== null && target.dev === guardedStat.dev && target.ino === guardedStat.ino;
    if (sameInode || location === (await realLocation(guarded))) {
      refuse('OUTPUT.IS_LEDGER_FILE', `Refusing to write ${file}: it is the ledger's own file ${guarded}; choose another output path`);
    }
  }
};

/**
 * The checks made before any work starts and again just before the rename: no ledger file, no
 * symlink, nothing but a regular file, and an existing file only with `--force`.
 */
export const assertOutputAllowed = async (file: string, policy: OutputPolicy, mode: 'replace' | 'append' = 'replace'): Promise<void> => {
  // `out/`, `.` or `..` name a directory, and `report.html/x` runs through a file: neither is ever written,
  // so they are refused before anything is computed or recorded (not by rename's ENOTDIR at the very end).
  if (/[\\/]$/.test(file) || ['', '.', '..'].includes(basename(file))) refuse('OUTPUT.NOT_A_FILE', `Refusing to write ${file}: it names a directory, not a file`);
  assertPrintableName(file);
  const target = await statOrNull(destinationOf(file), false).catch((error: NodeJS.ErrnoException) =>
    error.code === 'ENOTDIR' ? refuse('OUTPUT.NOT_A_FILE', `Refusing to write ${file}: a part of its directory is a file, not a directory`) : Promise.reject(error),
  );
  if (target?.isSymbolicLink()) refuse('OUTPUT.SYMLINK', `Refusing to write ${file}: it is a symbolic link, which is never followed`);
  await assertNotLedgerFile(file, target, policy);
  if (target && !target.isFile()) refuse('OUTPUT.NOT_A_FILE', `Refusing to write ${file}: it exists and is not a regular file`);
  if (target && mode === 'replace' && !policy.force) {
    refuse('OUTPUT.EXISTS', `Refusing to overwrite ${file}: it already exists (use --force to replace it)`);
  }
  const kind = target && mode === 'replace' ? await ledgerFileKind(destinationOf(file)) : null;
  if (kind !== null) refuse('OUTPUT.IS_LEDGER_FILE', `Refusing to write ${file}: it is ${kind}; choose another output path`);
};

const isStdout = (file: string | undefined): file is undefined | '-' => !file || file === '-';

const stdoutTarget = (): OutputTarget => ({
  stream: process.stdout,
  toStdout: true,
  file: null,
  commit: async () => undefined,
  discard: async () => undefined,
});

/**
 * Refuses two outputs of one command that name the same file, however spelled (real paths, and device +
 * inode for existing files, so a hard link is caught): the second would replace the first, or an append
 * meant for two files (`checkpoint --copy-to`) would go twice into one.
 */
export const assertDistinctOutputs = async (a: string, b: string): Promise<void> => {
  const [statA, statB] = await Promise.all([statOrNull(destinationOf(a), false), statOrNull(destinationOf(b), false)]);
  const sameInode = statA !== null && statB !== null && statA.dev === statB.dev && statA.ino === statB.ino;
  if (sameInode || (await realLocation(a)) === (await realLocation(b))) refuse('OUTPUT.SAME_FILE', `Refusing to write ${a} and ${b}: they are the same file; choose two paths`);
};

/** The directories `mkdir -p dir` made, deepest first: from `dir` up to the first one it created (none when it made none). */
const directoriesMade = (dir: string, firstMade: string | undefined): string[] => {
  if (firstMade === undefined) return [];
  const made: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    made.push(d);
    if (d === firstMade || dirname(d) === d) return made;
  }
};

/** What the file system answers a write this user may not make: no permission, an immutable file or directory, a read-only mount. */
const DENIED: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted (an immutable file or directory?)',
  EROFS: 'a read-only file system',
};

/**
 * `OUTPUT.PERMISSION_DENIED` for an output the file system refuses to create or replace, naming the directory
 * and what to fix (it was the bare errno with the temporary file's name, `EPERM: operation not permitted, open
 * '…/.trail.csv.1f2e….tmp'`); any other error passes unchanged.
 */
const deniedOutput = (file: string, error: unknown): unknown => {
  const reason = DENIED[String((error as NodeJS.ErrnoException | null)?.code)];
  if (reason === undefined) return error;
  return new CliError(
    `Cannot write ${file}: ${dirname(destinationOf(file))} may not be written by this user (${reason}); nothing was written: choose another --out, or make that directory writable`,
    EXIT_OUTPUT_REFUSED,
    'OUTPUT.PERMISSION_DENIED',
  );
};

/** Opens `file` for writing through a temporary file beside it (stdout for none or `-`). */
export const openOutput = async (file: string | undefined, policy: OutputPolicy): Promise<OutputTarget> => {
  if (isStdout(file)) return stdoutTarget();
  await assertOutputAllowed(file, policy);
  const destination = destinationOf(file);
  const made = await mkdir(dirname(destination), { recursive: true, mode: 0o700 }).catch((error: unknown) => Promise.reject(deniedOutput(file, error)));
  const madeDirectories = directoriesMade(dirname(destination), made);
  const temp = join(dirname(await realLocation(file)), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx': O_CREAT | O_EXCL, so a file (or symlink) planted at the temporary name is never written through.
  const stream = createWriteStream(temp, { flags: 'wx', mode: 0o600, encoding: 'utf8' });
  // Opened before anything else happens, so that `discard` always finds (and removes) the file.
  try {
    await once(stream, 'open');
  } catch (error) {
    for (const dir of madeDirectories) await rmdir(dir).catch(() => undefined);
    throw deniedOutput(file, error);
  }
  let settled = false;
  const discard = async (): Promise<void> => {
    if (settled) return;
    settled = true;
    stream.destroy();
    await unlink(temp).catch(() => undefined);
    // A refused export leaves nothing behind, not even the directories made for it (deepest first; one
    // something else was put in since stays).
    for (const made of madeDirectories) await rmdir(made).catch(() => undefined);
  };
  return {
    stream,
    toStdout: false,
    file,
    discard,
    commit: async () => {
      if (settled) return;
      try {
        if (!stream.writableEnded) stream.end();
        await finished(stream);
        const handle = await open(temp, 'r');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
        await assertOutputAllowed(file, policy);
        await rename(temp, destination);
        settled = true;
      } catch (error) {
        await discard();
        throw deniedOutput(file, error);
      }
    },
  };
};

/** Runs `work` with an output target; commits it on success and leaves the destination untouched on failure. */
export const withOutput = async <T>(file: string | undefined, policy: OutputPolicy, work: (target: OutputTarget) => Promise<T>): Promise<T> => {
  const target = await openOutput(file, policy);
  try {
    const result = await work(target);
    await target.commit();
    return result;
  } finally {
    await target.discard();
  }
};

/** Writes a whole document (SVG, CSV, HTML, PEM) to `file` safely; to stdout for none or `-`. */
export const writeOutputFile = async (file: string | undefined, content: string, policy: OutputPolicy): Promise<void> =>
  withOutput(file, policy, async (target) => {
    target.stream.write(content);
  });
