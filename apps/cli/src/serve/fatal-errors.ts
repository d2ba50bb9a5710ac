import { pino } from 'pino';
import { withoutSecrets } from '@trial-ledger/config';
import { SERVICE } from './serve-log';

/**
 * The last word of a `serve` process that meets an error nothing caught (an exception thrown outside any
 * request, a promise rejected with no handler): one structured line in the server's log format, with the
 * stable code `INTERNAL.UNCAUGHT`, written synchronously, then exit 1 — instead of Node's bare stack on
 * stderr. The process is not kept running: its state is unknown after such an error, and every command
 * acknowledged before it is already durable (the store commits before it answers).
 */
/** Where the fatal line learns which requests were in flight: the running server, once it listens. */
let inFlight: () => readonly string[] = () => [];

/** Names the server whose unanswered requests a fatal line lists (their correlation ids). */
export const reportRequestsInFlight = (requests: () => readonly string[]): void => {
  inFlight = requests;
};

export const logUncaughtErrorsAndExit = (): void => {
  const log = pino({ timestamp: pino.stdTimeFunctions.isoTime, base: { service: SERVICE } }, pino.destination({ fd: 2, sync: true }));
  process.on('uncaughtException', (error: unknown, origin: string) => {
    const err = error instanceof Error ? error : new Error(String(error));
    // stderr that cannot be written (a full disk) must not turn the exit into Node's status 7: the line is lost, the status kept.
    try {
      log.fatal(
      {
        code: 'INTERNAL.UNCAUGHT',
        origin,
        // Cut off by the exit, and one of them perhaps the cause: their access lines will never be written.
        requestsInFlight: safely(inFlight),
        error: { type: err.name, message: withoutSecrets(err.message), stack: withoutSecrets(err.stack ?? '') },
      },
      `${origin === 'unhandledRejection' ? 'a promise was rejected with no handler' : 'an exception was not caught'}; the server stops (exit 1) INTERNAL.UNCAUGHT`,
      );
    } catch {
      // Nothing more can be said.
    }
    process.exit(1);
  });
};

const safely = (list: () => readonly string[]): readonly string[] => {
  try {
    return list();
  } catch {
    return [];
  }
};
