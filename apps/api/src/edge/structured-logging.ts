import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { pino, type DestinationStream } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { LEDGER_CONFIG } from '../config/ledger-config.module';
import type { LedgerConfig } from '@trial-ledger/config';
import { CORRELATION_ID } from '../shared/commands/command-context';

const CORRELATION_HEADER = 'x-correlation-id';
const REDACTED = '[redacted]';

/**
 * Never a password or a token in the log (Part 11 §11.300(d): credentials are not disclosed; a log
 * file is read by more people than the ledger). Bodies are not logged at all; these paths also cover
 * anything a future log call might pass by mistake.
 */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'req.body.password',
  'req.body.newPassword',
  'req.body.currentPassword',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.authorization',
];

/** Names of query parameters whose values never reach the log, however they are spelt or escaped. */
const SECRET_PARAMETER = /pass|token|secret|auth|key|session|cookie|otp/i;

const decodedName = (name: string): string => {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
};

/**
 * The URL as logged: no route takes a credential in its query string, but a client may put one there
 * by mistake, and the access line (refusals included) would keep it. Values of parameters named like a
 * credential are replaced; the rest of the URL is logged as sent.
 */
export const loggedUrl = (url: string | undefined): string | undefined => {
  const query = url?.indexOf('?') ?? -1;
  if (url === undefined || query < 0) return url;
  const parameters = url
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      return equals >= 0 && SECRET_PARAMETER.test(decodedName(name)) ? `${name}=${REDACTED}` : pair;
    });
  return `${url.slice(0, query)}?${parameters.join('&')}`;
};

/** The request as its access line shows it: URL and parsed query with credential-like values replaced. */
const loggedRequest = (request: { url?: string; query?: unknown }): object => {
  const query = request.query;
  const loggedQuery =
    query !== null && typeof query === 'object'
      ? Object.fromEntries(Object.entries(query).map(([name, value]) => [name, SECRET_PARAMETER.test(name) ? REDACTED : (value as unknown)]))
      : query;
  return Object.assign(request, { url: loggedUrl(request.url) }, query === undefined ? {} : { query: loggedQuery });
};

/**
 * One id per request for the access log, the `X-Correlation-Id` response header and the ledger: the
 * client's own `X-Correlation-Id` when it is well-formed, else a new UUID v7 written back onto the
 * request, so the events a command appends carry the same correlation id as its log line. Fastify's
 * request id (`genReqId`, see `createHttpAdapter`): Fastify hands it to Nest middleware as `req.id`,
 * which pino-http takes as the log line's id; `applyEdgeHeaders` sends it back.
 */
export const correlationIdOf = (request: IncomingMessage): string => {
  const given = request.headers[CORRELATION_HEADER];
  const id = typeof given === 'string' && CORRELATION_ID.test(given) ? given : uuidv7();
  request.headers[CORRELATION_HEADER] = id;
  return id;
};

/** 5xx are errors, refusals are warnings (an attacker probing shows up), the rest is the access log. */
const levelOf = (_request: IncomingMessage, response: ServerResponse, error?: Error): 'error' | 'warn' | 'info' =>
  error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info';

/**
 * Structured JSON logs (nestjs-pino): one line per request with method, URL, status, duration and the
 * request id, plus Nest's own messages, each with an ISO 8601 UTC `time`. JSON has no colour codes,
 * whether or not stderr is a terminal. Written to stderr, so that `serve --json` keeps stdout for its
 * machine-readable ready line. Level: `TRIAL_LEDGER_LOG_LEVEL` (default `info`).
 */
export const structuredLoggingModule = (destination?: DestinationStream): DynamicModule =>
  LoggerModule.forRootAsync({
    inject: [ConfigService],
    useFactory: (config: ConfigService) => ({
      pinoHttp: [
        {
          level: config.getOrThrow<LedgerConfig>(LEDGER_CONFIG).logLevel,
          timestamp: pino.stdTimeFunctions.isoTime,
          base: { service: 'trial-ledger-api' },
          redact: { paths: REDACT_PATHS, censor: REDACTED },
          customLogLevel: levelOf,
          serializers: { req: loggedRequest },
          customSuccessMessage: (request, response, responseTime) => `${request.method} ${loggedUrl(request.url)} ${response.statusCode} ${Math.round(responseTime)} ms`,
          customErrorMessage: (request, response) => `${request.method} ${loggedUrl(request.url)} ${response.statusCode} failed`,
        },
        destination ?? pino.destination({ fd: 2 }),
      ],
    }),
  });
