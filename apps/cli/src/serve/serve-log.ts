import { pino, type DestinationStream, type Logger } from 'pino';
import { ledgerConfig } from '@trial-ledger/config';
import type { StoreWarningListener } from '@trial-ledger/event-store';
import { withoutSecrets } from '@trial-ledger/config';

/** The `service` of every line of `serve`'s log, the API's access lines and Nest's messages included. */
export const SERVICE = 'trial-ledger-api';

export interface ServeLog {
  /** `serve`'s own lines (start, key, account policy, checkpoints, stop), in the API's JSON format. */
  readonly log: Logger;
  /** The one stream every line goes through (the API's logger is given it too), so lines never interleave. */
  readonly destination: DestinationStream;
  /** Writes out what is still buffered (before the process exits). */
  flush(): void;
}

/** How much of the log is held while stderr cannot be written (a log file on a full disk); past it, lines are dropped. */
const HELD_LOG_BYTES = 1 << 20;

/**
 * stderr as `serve`'s log destination. A write that fails — stderr a file on a full disk (ENOSPC), a broken
 * device — does not stop the server: the lines are held (at most 1 MiB, later ones dropped) and written with the
 * next line that can be. Without the listener the stream's `error` event was an uncaught exception whose own
 * line could not be written either: the server ended with Node's exit status 7 and not a word, at its first
 * log line after the disk filled, though the ledger itself could still answer.
 */
export const stderrLogDestination = (dest: number | string = 2): DestinationStream => {
  const stream = pino.destination({ dest, sync: true, maxLength: HELD_LOG_BYTES });
  stream.on('error', () => undefined);
  // Only `write`: each line is written as it is logged (sync), so nothing is left to flush — and sonic-boom's
  // flushSync, which pino calls after a fatal line and serve before it exits, retries a failing write forever.
  return { write: (line: string) => void stream.write(line) };
};

/**
 * `serve`'s log: one JSON document per line on stderr (pino: `level`, ISO 8601 `time`, `service`, `msg`,
 * and a stable `code` on each warning and error), at `TRIAL_LEDGER_LOG_LEVEL`. The API writes its access
 * lines and Nest's messages through the same destination, so the whole of stderr is one log a shipper can
 * parse line by line — no plain-text line among them.
 */
export const openServeLog = (destination: DestinationStream = stderrLogDestination()): ServeLog => {
  const log = pino({ level: ledgerConfig(process.env).logLevel, timestamp: pino.stdTimeFunctions.isoTime, base: { service: SERVICE } }, destination).child({ context: 'serve' });
  return {
    log,
    destination,
    flush: () => {
      try {
        (destination as { flushSync?: () => void }).flushSync?.();
      } catch {
        // Nothing written yet, or stderr gone: nothing to flush.
      }
    },
  };
};

/**
 * A refused start as one fatal JSON line of `serve`'s log (its code, the reason, the exit status), written
 * whatever `TRIAL_LEDGER_LOG_LEVEL` says, `silent` included: a server that exits non-zero says why. Also
 * for a start refused before the log is open — an invalid environment (`CONFIG.INVALID`, the log level
 * itself included), settings that clash (`CONFIG.FILE_CLASH`), an option's value (`--port 99999`), an
 * unknown option — which used to be a plain `trial-ledger: …` line. By default through `process.stderr`
 * (synchronous for a file or pipe), so it is written before the process exits.
 */
export const logRefusedStart = (code: string, message: string, exitCode: number, destination: DestinationStream = { write: (line: string) => process.stderr.write(line) }): void => {
  pino({ level: 'fatal', timestamp: pino.stdTimeFunctions.isoTime, base: { service: SERVICE } }, destination)
    .child({ context: 'serve' })
    .fatal({ code }, refusedStartMessage(code, message, exitCode));
};

/** The words of a refused start's line: the reason, the exit status, the code last (as in every warning's `msg`). */
const refusedStartMessage = (code: string, message: string, exitCode: number): string => `${withoutSecrets(message)} (serve exits ${exitCode}) ${code}`;

/**
 * Node's own warnings (a deprecation, too many listeners) as log lines with `PROCESS.WARNING` instead of
 * its plain `(node:123) Warning: …` on stderr. Node prints them from a `warning` listener of its own,
 * which is replaced.
 */
export const logProcessWarnings = (log: Logger): void => {
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    log.warn({ code: 'PROCESS.WARNING', warning: { name: warning.name, code: warning.code } }, `${warning.name}: ${withoutSecrets(warning.message)} PROCESS.WARNING`);
  });
};

/** What the store recovered from by itself (a dropped idle connection): one warning line with its code, no password, no stack. */
export const logStoreWarning =
  (log: Logger): StoreWarningListener =>
  (warning) =>
    log.warn({ code: warning.code }, `${withoutSecrets(warning.message)} ${warning.code}`);

/**
 * A new ledger signing key, said as a warning (`LEDGER_KEY.CREATED`) so that it is seen at any log level:
 * its fingerprint is what the operator hands to auditors to pin, and a key made where one was expected
 * (a lost key directory) is worth noticing.
 */
export const logLedgerKeyCreated = (log: Logger, keyFile: string, fingerprint: string): void =>
  log.warn(
    { code: 'LEDGER_KEY.CREATED', keyFile, fingerprint },
    `created the ledger signing key ${keyFile} (public key fingerprint ${fingerprint}); give auditors the public key (checkpoint --export-public-key FILE) and this fingerprint by another channel, to pin with verify --pin-key LEDGER_KEY.CREATED`,
  );
