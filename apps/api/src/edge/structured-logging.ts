import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { DynamicModule } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { pino, type DestinationStream, type Logger } from 'pino';
import { LEDGER_CONFIG } from '../config/ledger-config.module';
import type { LedgerConfig } from '@trial-ledger/config';
import { newTimeOrderedId } from '@trial-ledger/command-pipeline';
import { CORRELATION_ID } from '../shared/commands/command-context';
import { rawProblemCodeOf } from '../shared/http/raw-problem-code';
import { unreadableRequestAnswer, unreadableRequestResponse } from './http-hardening';

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

/** The parsed query as its access line shows it: values of credential-like names replaced. */
const loggedQuery = (query: unknown): unknown =>
  query !== null && typeof query === 'object'
    ? Object.fromEntries(Object.entries(query).map(([name, value]) => [name, SECRET_PARAMETER.test(name) ? REDACTED : (value as unknown)]))
    : query;

/**
 * One id per request for the access log, the `X-Correlation-Id` response header and the ledger: the
 * client's own `X-Correlation-Id` when it is well-formed, else a new UUID v7 written back onto the
 * request, so the events a command appends carry the same correlation id as its log line. Fastify's
 * request id (`genReqId`, see `createHttpAdapter`): Fastify hands it to Nest middleware as `req.id`,
 * which pino-http takes as the log line's id; `applyEdgeHeaders` sends it back.
 */
export const correlationIdOf = (request: IncomingMessage): string => {
  const given = request.headers[CORRELATION_HEADER];
  const id = typeof given === 'string' && CORRELATION_ID.test(given) ? given : newTimeOrderedId();
  request.headers[CORRELATION_HEADER] = id;
  return id;
};

/** 5xx are errors, refusals are warnings (an attacker probing shows up), the rest is the access log. */
const levelOf = (statusCode: number): 'error' | 'warn' | 'info' => (statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info');

/**
 * The request's headers as logged: the values of headers named like a credential (`Authorization`,
 * `Proxy-Authorization`, `Cookie`, `X-Api-Key`, …) replaced, the rest as sent.
 */
const SECRET_HEADER = /auth|cookie|token|secret|pass|api-?key|session|otp/i;
const loggedHeaders = (headers: FastifyRequest['headers']): object => {
  const logged: Record<string, unknown> = {};
  for (const name of Object.keys(headers)) logged[name] = SECRET_HEADER.test(name) ? REDACTED : headers[name];
  return logged;
};

/**
 * The API's one pino logger: the access lines and Nest's own messages, each an ISO 8601 UTC JSON line,
 * written to stderr, so that `serve --json` keeps stdout for its machine-readable ready line. JSON has
 * no colour codes, whether or not stderr is a terminal. Level: `TRIAL_LEDGER_LOG_LEVEL` (default `info`).
 */
export const API_LOG = Symbol('API_LOG');

/**
 * One access line per request, written when its response has been sent (Fastify's `onResponse`): method,
 * URL and query with credential-like values replaced, headers without credentials, status, duration and
 * the request id (the correlation id). A hook rather than an HTTP middleware: a middleware that keeps a
 * logger per request needs an `AsyncLocalStorage`, whose promise hooks cost every request's every
 * promise; no code here logs per request but this line.
 */
/** The correlation ids of the requests each server has received and not yet answered (see `requestsInFlight`). */
const inFlight = new WeakMap<FastifyInstance, Set<string>>();

/**
 * The correlation ids of the requests the server has received and not answered yet, oldest first: what a fatal
 * line names when an error nothing caught ends the process (no per-request context exists without an
 * `AsyncLocalStorage`, so the requests that were cut off are the closest the log can come to the one at fault).
 */
export const requestsInFlight = (fastify: FastifyInstance): string[] => [...(inFlight.get(fastify) ?? [])];

export const registerAccessLog = (fastify: FastifyInstance, log: Logger): void => {
  const pending = new Set<string>();
  inFlight.set(fastify, pending);
  fastify.addHook('onRequest', (request, _reply, done) => {
    pending.add(request.id);
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    pending.delete(request.id);
    done();
  });
  // The line is built without credentials, so the logger's redaction paths (for other log calls) are not walked again.
  const access = log.child({}, { redact: { paths: [], censor: REDACTED } });
  // The problem's stable code, read from the problem body as it is sent: every refusal's line names it,
  // whichever part of the server wrote the problem (the exception filter, the body parser, the health check).
  const problemCodes = new WeakMap<FastifyRequest, string>();
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const code = reply.statusCode >= 400 && typeof payload === 'string' ? problemCodeOf(String(reply.getHeader('content-type') ?? ''), payload) : undefined;
    if (code !== undefined) problemCodes.set(request, code);
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    pending.delete(request.id);
    const statusCode = reply.statusCode;
    const level = levelOf(statusCode);
    const code = problemCodes.get(request) ?? rawProblemCodeOf(reply.raw);
    // A probe's answer is said by the health controller when it changes (down, a new cause, up again), not per probe.
    if (access.isLevelEnabled(level) && !isHealthProbeAnswer(request.method, request.raw.url, statusCode, code)) {
      const url = loggedUrl(request.raw.url);
      const { remoteAddress, remotePort } = request.raw.socket;
      access[level](
        {
          // The problem's code at the top too, where every warning and error line of the log carries it.
          ...(code === undefined ? {} : { code }),
          req: { id: request.id, method: request.method, url, query: loggedQuery(request.query), headers: loggedHeaders(request.headers), remoteAddress, remotePort },
          res: code === undefined ? { statusCode } : { statusCode, code },
          responseTime: reply.elapsedTime,
        },
        `${request.method} ${url} ${statusCode} ${Math.round(reply.elapsedTime)} ms${code === undefined ? '' : ` ${code}`}`,
      );
    }
    done();
  });
};

/** The probes' paths (liveness, readiness and `/health`, which answers as readiness). */
const HEALTH_PROBE_PATHS: ReadonlySet<string> = new Set(['/health', '/health/', '/health/ready', '/health/live']);

/**
 * A health probe's own answer (GET or HEAD, 200 or 503): a load balancer asks every few seconds, so these get no
 * access line (nor a 503 line of the server's); any other answer at those paths (a 400, a 405, a 429) keeps its line.
 */
export const isHealthProbeAnswer = (method: string, url: string | undefined, statusCode: number, code?: string): boolean => {
  if ((method !== 'GET' && method !== 'HEAD') || (statusCode !== 200 && statusCode !== 503)) return false;
  // A 503 readiness did not give (SERVE.SHUTTING_DOWN while draining) keeps its line.
  if (statusCode === 503 && !(code === undefined || code === 'HEALTH.NOT_READY' || code === 'LEDGER.TAMPERED' || code.startsWith('STORE.'))) return false;
  const path = (url ?? '').split('?')[0];
  return HEALTH_PROBE_PATHS.has(path);
};

/** How long a connection whose later bytes were unreadable waits for the answers to its earlier requests. */
const IN_FLIGHT_ANSWER_WAIT_MS = 30_000;

/**
 * Writes the answer to unreadable bytes once the requests read before them on this connection (pipelined, or
 * kept alive) are answered, then closes it: a 400 written in the middle, or in place, of a command's answer
 * would read as that command's and tell its client that nothing was done while it was recorded.
 */
const answerWhenIdle = (socket: Duplex, answer: string): void => {
  const inFlight = (socket as { _httpMessage?: ServerResponse | null })._httpMessage;
  // The unreadable bytes are the in-flight request's own body (broken chunking): it is answered in its place,
  // unless its answer has begun (as Node's own listener does).
  if (inFlight && !inFlight.req.complete) {
    if (!inFlight.headersSent && socket.writable) socket.write(answer);
    socket.destroy();
    return;
  }
  if (inFlight) {
    const giveUp = setTimeout(() => socket.destroy(), IN_FLIGHT_ANSWER_WAIT_MS).unref();
    const next = (): void => {
      clearTimeout(giveUp);
      inFlight.off('finish', next).off('close', next);
      // The next pipelined answer, if any, is attached to the socket on the answered one's finish.
      setImmediate(() => answerWhenIdle(socket, answer));
    };
    inFlight.once('finish', next).once('close', next);
    return;
  }
  if (socket.writable) socket.write(answer);
  socket.destroy();
};

/**
 * A connection Node cuts off before any route sees a request — headers or body not received within
 * the timeouts (a slowloris client), a request it cannot parse, headers over its limit — gets its status
 * (`408`, `400`, `431`) with a problem body (`unreadableRequestResponse`), the connection closed, and a
 * warning line with the same code, like the access line's. A connection the
 * client reset has no one to answer and is not a refusal: it is not logged.
 */
export const registerClientErrorLog = (server: Server, log: Logger): void => {
  server.removeAllListeners('clientError');
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex & Partial<Pick<Socket, 'remoteAddress' | 'remotePort'>>) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const answer = unreadableRequestAnswer(error.code);
    log.warn(
      { code: answer.code, remoteAddress: socket.remoteAddress, remotePort: socket.remotePort, res: { statusCode: answer.status, code: answer.code }, err: { code: error.code } },
      `connection cut off before a request was read: ${answer.status} ${answer.code} (${error.code ?? error.message})`,
    );
    answerWhenIdle(socket, unreadableRequestResponse(answer));
  });
};

/** A stable problem code (`STORE.DISK_FULL`) of an `application/problem+json` body; undefined for anything else. */
const problemCodeOf = (contentType: string, body: string): string | undefined => {
  if (!contentType.startsWith('application/problem+json')) return undefined;
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return typeof code === 'string' && /^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Structured JSON logs: `API_LOG` for the access lines (`registerAccessLog`), and nestjs-pino's
 * `Logger` over the same pino instance for Nest's messages. nestjs-pino's per-request middleware is not
 * mounted (no routes): see `registerAccessLog`.
 */
export const structuredLoggingModule = (destination?: DestinationStream): DynamicModule =>
  LoggerModule.forRootAsync({
    providers: [
      {
        provide: API_LOG,
        inject: [ConfigService],
        useFactory: (config: ConfigService): Logger =>
          pino(
            {
              level: config.getOrThrow<LedgerConfig>(LEDGER_CONFIG).logLevel,
              timestamp: pino.stdTimeFunctions.isoTime,
              base: { service: 'trial-ledger-api' },
              redact: { paths: REDACT_PATHS, censor: REDACTED },
            },
            destination ?? pino.destination({ fd: 2 }),
          ),
      },
    ],
    inject: [API_LOG],
    useFactory: (logger: Logger) => ({ pinoHttp: { logger }, forRoutes: [] }),
  });
