import type { Command } from 'commander';
import type { DestinationStream } from 'pino';
import { assertCheckpointFileSafe, assertKeyDirOutsideStore, ensureLedgerKeyFor, LedgerIntegrityWatch, ledgerFiles, superviseAutoCheckpoints, type CopyAnchor } from '@trial-ledger/audit';
import { openEventStore, type Subscription } from '@trial-ledger/event-store';
import { identityPolicyFromEnv, prepareServerState, recordConfiguredAccountPolicy } from '@trial-ledger/identity';
import type * as Api from '../../../api/src/main';
import { assertOwnCheckpoints } from '../checkpoint/own-checkpoints';
import { globalOptions } from '../shared/cli-context';
import { CliError, describeError, markLogged } from '../shared/cli-errors';
import { SECRET_ON_COMMAND_LINE, secretOnCommandLineMessage, secretsOnCommandLine } from '../shared/secret-arguments';
import { ensureSessionSealKey, sessionSealKeyFile } from './session-seal-key';
import { withoutSecrets } from '@trial-ledger/config';
import { logUncaughtErrorsAndExit, reportRequestsInFlight } from './fatal-errors';
import { logLedgerKeyCreated, logProcessWarnings, logStoreWarning, openServeLog, logRefusedStart, type ServeLog } from './serve-log';

/**
 * Signals that stop `serve` cleanly (drain, then close the store). SIGHUP too: the terminal it ran in
 * closed, or an operator asked for a reload, which `serve` has nothing to reload for; Node's default
 * would end the process on the spot, cutting requests in flight and leaving the store unclosed.
 */
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const DEFAULT_CHECKPOINT_EVERY = 1000;

export const parsePort = (value: string): number => {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError(`--port must be an integer from 0 to 65535 (got ${value})`, 2, 'CLI.INVALID_OPTION');
  return port;
};

export const parseCount = (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new CliError(`--checkpoint-every must be a whole number ≥ 0 (got ${value})`, 2, 'CLI.INVALID_OPTION');
  return n;
};

/** A duration in whole or decimal seconds, for the HTTP limits (`--drain-timeout 10`). */
export const parseSeconds =
  (option: string) =>
  (value: string): number => {
    const seconds = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
      throw new CliError(`${option} must be a number of seconds above 0 and at most 3600 (got ${value})`, 2, 'CLI.INVALID_OPTION');
    }
    return Math.round(seconds * 1000);
  };

export const parseMaxConnections = (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > 1_000_000) {
    throw new CliError(`--max-connections must be a whole number from 1 to 1000000 (got ${value})`, 2, 'CLI.INVALID_OPTION');
  }
  return n;
};

export interface ServeOptions {
  readonly store: string;
  readonly port: number;
  readonly host: string;
  readonly json?: boolean;
  /** `--key-dir`: where the checkpoint-signing key lives (else `TRIAL_LEDGER_KEY_DIR`, else the per-user config directory). */
  readonly keyDir?: string;
  /** Sign a checkpoint every N events (0: no automatic checkpoints). */
  readonly checkpointEvery?: number;
  /** Timeouts, connection cap and drain deadline of the HTTP server (defaults: `DEFAULT_HTTP_LIMITS`). */
  readonly limits?: Partial<Api.HttpServerLimits>;
  /** Resolves when the server should stop; by default the first SIGINT, SIGTERM or SIGHUP. */
  readonly stopWhen?: Promise<unknown>;
  /** Where the JSON log goes (serve's own lines, the access lines, Nest's messages); default stderr. */
  readonly logDestination?: DestinationStream;
  /** The process is serve's own (the CLI): Node's warnings become log lines too. */
  readonly ownProcess?: boolean;
  /** Options of its command line that hold a password (`--store postgres://user:secret@…`): each a warning line. */
  readonly secretOptions?: readonly string[];
}

/** The first of the given signals, with the handlers removed again so a second Ctrl-C still kills. */
const nextSignal = (): Promise<NodeJS.Signals> =>
  new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals): void => {
      for (const s of SIGNALS) process.off(s, handler);
      resolve(signal);
    };
    for (const s of SIGNALS) process.on(s, handler);
  });

/**
 * Runs the API over the store until told to stop, then stops accepting requests, lets the server
 * finish, and closes the store last (the SQLite WAL is checkpointed and fsynced), so that the process
 * exits with status 0.
 */
export const serve = async (options: ServeOptions): Promise<void> => {
  const serveLog = openServeLog(options.logDestination);
  if (options.ownProcess) logProcessWarnings(serveLog.log);
  for (const flag of options.secretOptions ?? []) serveLog.log.warn({ code: SECRET_ON_COMMAND_LINE, option: flag }, `${secretOnCommandLineMessage(flag)} ${SECRET_ON_COMMAND_LINE}`);
  try {
    await serveWith(options, serveLog);
  } catch (error) {
    // A refused start is a line of the log too (fatal, with its code), not plain text among the JSON lines.
    const { code, message } = describeError(error);
    logRefusedStart(code, message, 1, serveLog.destination);
    serveLog.flush();
    markLogged(error);
    throw error;
  }
};

const serveWith = async (options: ServeOptions, { log, destination, flush }: ServeLog): Promise<void> => {
  const store = await openEventStore(options.store, { onWarning: logStoreWarning(log) });
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const every = options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
  const files = ledgerFiles(options.store, { keyDir: options.keyDir });
  // Damage the checkpoint verifier finds while the server runs turns readiness red (503 LEDGER.TAMPERED).
  const ledgerIntegrity = new LedgerIntegrityWatch();
  let server: Api.RunningServer;
  let checkpoints: Subscription | null = null;
  // What the exports compare the log with after the chain (a tail deleted behind a checkpoint): the file this server signs.
  let signedCheckpoints: CopyAnchor | undefined;
  let open!: () => void;
  let refuse!: (error: unknown) => void;
  const servingFrom = new Promise<void>((resolve, reject) => ([open, refuse] = [resolve, reject]));
  try {
    // Before anything is recorded: a refused key or checkpoint file (a symlink at its path) stops the start with nothing written.
    assertKeyDirOutsideStore(files);
    const sessionSealKey = ensureSessionSealKey(sessionSealKeyFile(files.keyFile));
    // Signed checkpoints every N events (SPEC §4): verified incrementally as events arrive, appended to the
    // checkpoint file beside the store, so a truncated or rewritten tail is detectable later. Started
    // before anything is recorded or served: a stored tree that no longer has the root the last
    // checkpoint signed (a rewritten log) stops the start with nothing appended to that log.
    if (every > 0) {
      assertCheckpointFileSafe(files.checkpointFile);
      const key = ensureLedgerKeyFor(files, (created) => logLedgerKeyCreated(log, files.keyFile, created.fingerprint));
      // LEDGER_CHECKPOINT_FILE naming another ledger's checkpoint file: nothing is appended to it.
      assertOwnCheckpoints(files.checkpointFile, key);
      signedCheckpoints = { checkpointFile: files.checkpointFile, publicKey: key.publicKey };
      // Supervised: a checkpoint file that cannot be written (its disk full) is said once and retried, not a silent stop.
      checkpoints = await superviseAutoCheckpoints(
        store,
        {
          key,
          file: files.checkpointFile,
          every,
          onTamper: (message, position) => {
            ledgerIntegrity.report(position, message);
            log.error({ code: 'LEDGER.TAMPERED', position }, `LEDGER DAMAGED at position ${position}: ${message}; /health answers 503 LEDGER.TAMPERED until restarted on an intact ledger`);
          },
        },
        {
          onStopped: (error) => {
            ledgerIntegrity.checkpointsStopped(true);
            log.error(
              { code: 'CHECKPOINT.STOPPED' },
              `signed checkpoints stopped (CHECKPOINT.STOPPED): ${withoutSecrets((error as Error).message ?? String(error))}; commands are still recorded, signing is retried and catches up by itself`,
            );
          },
          onResumed: (position) => {
            ledgerIntegrity.checkpointsStopped(false);
            log.info({ position }, `signed checkpoints resumed (position ${position})`);
          },
        },
      );
    }
    await prepareServerState(store);
    // Loaded on demand, so that every other command starts without booting Nest (about a second of CPU).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startServer } = require('../../../api/src/main') as typeof Api;
    // Side files opened and the port bound, requests held: whatever refuses the start does so before the record below.
    server = await startServer({ store, port: options.port, host: options.host, limits: options.limits, sessionSealKey, servingFrom, ledgerIntegrity, signedCheckpoints, logDestination: destination }).catch((error: unknown) => {
      throw listenRefusal(error, options.host ?? '127.0.0.1', options.port);
    });
    if (options.ownProcess) reportRequestsInFlight(server.requestsInFlight);
  } catch (error) {
    await checkpoints?.stop();
    await store.close();
    throw error;
  }
  try {
    // The account policy in force is part of the record (Part 11 §11.300): a start with other settings
    // than the last recorded ones records the change before the first request is served.
    const policyChange = await recordConfiguredAccountPolicy(store, identityPolicyFromEnv());
    if (policyChange) log.info({ changed: policyChange.data.changed }, `account policy recorded (AccountPolicyChanged: ${policyChange.data.changed.join(', ')})`);
    open();
  } catch (error) {
    refuse(error);
    await server.close().finally(async () => {
      await checkpoints?.stop();
      await store.close();
    });
    throw error;
  }
  // Nest's own shutdown hooks end the process by re-raising the signal before the store is closed;
  // here the CLI owns the store, so it owns the shutdown.
  for (const s of SIGNALS) for (const listener of process.listeners(s)) if (!before.get(s)?.has(listener)) process.off(s, listener as (...args: unknown[]) => void);
  const stopWhen = options.stopWhen ?? nextSignal();
  const ready = {
    url: server.url,
    store: store.description,
    api: `${server.url}/api/v1`,
    docs: `${server.url}/api/docs`,
    health: `${server.url}/health`,
    checkpoints: checkpoints ? { every, file: files.checkpointFile } : null,
  };
  log.info({ url: server.url, store: store.description, checkpoints: ready.checkpoints }, `listening on ${server.url} (store ${store.description})`);
  const checkpointNote = checkpoints ? `; a signed checkpoint every ${every} events in ${files.checkpointFile}` : '';
  process.stdout.write(
    options.json ? `${JSON.stringify(ready)}\n` : `trial-ledger API listening on ${server.url} (API ${ready.api}, docs ${ready.docs}; store ${store.description}${checkpointNote}). Ctrl-C stops.\n`,
  );
  const reason = await stopWhen;
  log.info(
    typeof reason === 'string' ? { signal: reason } : {},
    `${typeof reason === 'string' ? `${reason} received, ` : ''}stopping the API: no new connections, finishing requests in flight`,
  );
  try {
    const { drained, cut } = await server.close();
    if (!drained) log.warn({ code: 'SERVE.DRAIN_CUT', cut }, `drain deadline reached, ${cut} unfinished request(s) cut off SERVE.DRAIN_CUT`);
    await checkpoints?.stop();
  } finally {
    await store.close();
  }
  log.info('stopped; the store is closed');
  flush();
};

/**
 * The address the server cannot listen on, in words and with a stable code (exit 1: the machine refuses it,
 * not the command line), instead of Node's bare `listen EADDRINUSE: address already in use`.
 */
const listenRefusal = (error: unknown, host: string, port: number | undefined): unknown => {
  const address = `${host}:${port ?? 3000}`;
  switch ((error as { code?: unknown } | null)?.code) {
    case 'EADDRINUSE':
      return new CliError(`${address} is already in use by another process: stop that process or give another --port (or --host)`, 1, 'SERVE.ADDRESS_IN_USE');
    case 'EACCES':
      return new CliError(`${address} may not be listened on by this user (ports below 1024 need privileges): give another --port`, 1, 'SERVE.ADDRESS_FORBIDDEN');
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new CliError(`${host} is not an address of this machine: give --host one of its interfaces (127.0.0.1, 0.0.0.0, …)`, 1, 'SERVE.ADDRESS_UNAVAILABLE');
    default:
      return error;
  }
};

/** `trial-ledger serve [--port 3000] [--host 127.0.0.1]` (SPEC §6). */
export const registerServe = (program: Command): void => {
  program
    .command('serve')
    .description('Start the HTTP API (/api/v1, OpenAPI at /api/docs, health at /health); SIGINT/SIGTERM/SIGHUP stop it cleanly')
    .option('--port <port>', 'TCP port (0 = any free port)', parsePort, 3000)
    .option('--host <host>', 'interface to listen on (loopback)', '127.0.0.1')
    .option('--checkpoint-every <n>', 'sign a checkpoint every N events (0: none)', parseCount, DEFAULT_CHECKPOINT_EVERY)
    .option('--drain-timeout <seconds>', 'on SIGTERM, time for requests in flight to finish before connections are cut (default: 10)', parseSeconds('--drain-timeout'))
    .option('--request-timeout <seconds>', 'time to receive a whole request, body included (default: 30)', parseSeconds('--request-timeout'))
    .option('--max-connections <n>', 'concurrent connections accepted (default: 512)', parseMaxConnections)
    // A usage error is written by runCli as a JSON log line (stderr is serve's log), without the help text.
    .configureOutput({ outputError: () => undefined })
    .showHelpAfterError(false)
    .action(async (opts: { port: number; host: string; checkpointEvery: number; drainTimeout?: number; requestTimeout?: number; maxConnections?: number }, command: Command) => {
      const { store, json, keyDir } = globalOptions(command);
      const limits = {
        ...(opts.drainTimeout === undefined ? {} : { drainTimeoutMs: opts.drainTimeout }),
        ...(opts.requestTimeout === undefined ? {} : { requestTimeoutMs: opts.requestTimeout, headersTimeoutMs: Math.min(10_000, opts.requestTimeout) }),
        ...(opts.maxConnections === undefined ? {} : { maxConnections: opts.maxConnections }),
      };
      logUncaughtErrorsAndExit();
      await serve({ store, port: opts.port, host: opts.host, json, keyDir, checkpointEvery: opts.checkpointEvery, limits, ownProcess: true, secretOptions: secretsOnCommandLine(command) });
    });
};
