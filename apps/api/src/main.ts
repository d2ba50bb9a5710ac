import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { LoggerService, LogLevel } from '@nestjs/common';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppModule, type AppModuleOptions } from './app.module';
import type { Server } from 'node:http';
import { recordRouteTable } from './edge/allowed-methods';
import { applyEdgeHeaders, applyHttpHardening } from './edge/http-hardening';
import { registerLedgerDamageMarker } from './edge/ledger-damage-marker';
import { API_LOG, correlationIdOf, registerAccessLog, registerClientErrorLog, requestsInFlight } from './edge/structured-logging';
import { applyHttpServerLimits, DEFAULT_HTTP_LIMITS, drainHttpServer, type HttpServerLimits } from './lifecycle/http-drain';
import { registerRequestBodyParsers } from './shared/http/request-body.parser';
import { setupOpenApi } from './shared/openapi';
import { API_OPTIONS, type ApiModuleOptions } from './shared/tokens';

export { DEFAULT_HTTP_LIMITS, type HttpServerLimits } from './lifecycle/http-drain';

export interface CreateAppOptions extends AppModuleOptions {
  /** Nest's logger, `false` to silence it; default: the structured JSON log (nestjs-pino) on stderr. */
  readonly logger?: LoggerService | LogLevel[] | false;
  /**
   * Requests are held until it resolves (a rejection fails them): a server that must record something
   * before it serves (`trial-ledger serve`'s account policy) binds its port first, so that a start
   * refused for a taken port or an unsafe file has recorded nothing.
   */
  readonly servingFrom?: Promise<void>;
}

export interface StartServerOptions extends CreateAppOptions {
  readonly port?: number;
  /** Loopback by default: exposing a clinical ledger on every interface must be a deliberate choice. */
  readonly host?: string;
  /** Timeouts, the connection cap and the drain deadline; each defaults to `DEFAULT_HTTP_LIMITS`. */
  readonly limits?: Partial<HttpServerLimits>;
}

export interface RunningServer {
  readonly app: NestFastifyApplication;
  /** e.g. `http://127.0.0.1:3000` */
  readonly url: string;
  /**
   * Stops accepting, lets requests already received finish (up to the drain deadline), closes every
   * connection left and shuts the app down; the store stays open (its owner closes it). Resolves with
   * whether the drain finished in time and how many requests were cut.
   */
  close(): Promise<{ drained: boolean; cut: number }>;
  /** The correlation ids of the requests received and not answered yet (for a fatal line). */
  requestsInFlight(): string[];
}

export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = '127.0.0.1';

/**
 * The HTTP adapter: Fastify, routing as the API always has (case-insensitive paths, a trailing slash
 * ignored, path parameters as long as a request line may be — Node's 16 KiB header limit bounds them —
 * so a long hostile id reaches validation and gets its problem, not the router's 414). The request id
 * is the correlation id. A URL the router cannot decode (`%zz`) is refused before any hook runs: it
 * gets the edge's headers here and its problem from the one problem-details filter (Nest's error handler).
 */
export const createHttpAdapter = (): FastifyAdapter => {
  const adapter: FastifyAdapter = new FastifyAdapter({
    genReqId: correlationIdOf,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 16_384 },
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      applyEdgeHeaders(request, reply);
      adapter.getInstance().errorHandler(error, request, reply);
    },
  });
  // A request Node cannot read (malformed, headers too large, its timeout hit) is answered and logged by
  // `registerClientErrorLog` — a problem body, the connection closed — not by Fastify's listener.
  adapter.getInstance().server.removeAllListeners('clientError');
  return adapter;
};

/**
 * Everything an app needs besides its module graph. Shared by `createApp` and by tests that build the
 * app from a Nest `TestingModule`, so both serve the same edge (body parsing and its problems, security
 * headers, `Cache-Control`, OpenAPI document). Fastify sends no `X-Powered-By` and no ETags of its
 * own: ETags are stream versions, set by the routes themselves (If-Match/ETag, SPEC §4).
 * Call before `app.init()`: the documentation routes must be registered before Nest's 404 handler.
 */
export const configureApp = (app: NestFastifyApplication, { structuredLog = true }: { structuredLog?: boolean } = {}): NestFastifyApplication => {
  // Nest's own messages (start-up, the exception filter's, the security log) go to the same JSON log
  // as the access lines, unless the app was given a logger of its own (or `false`).
  if (structuredLog) {
    app.useLogger(app.get(Logger));
    app.flushLogs(); // the start-up messages buffered until now (createApp does not flush them by itself)
  }
  applyHttpHardening(app);
  recordRouteTable(app.getHttpAdapter().getInstance() as FastifyInstance);
  registerAccessLog(app.getHttpAdapter().getInstance() as FastifyInstance, app.get(API_LOG));
  registerClientErrorLog((app.getHttpAdapter().getInstance() as FastifyInstance).server, app.get(API_LOG));
  registerRequestBodyParsers(app.getHttpAdapter().getInstance() as FastifyInstance, app.get<ApiModuleOptions>(API_OPTIONS).bodyLimit);
  registerLedgerDamageMarker(app.getHttpAdapter().getInstance() as FastifyInstance, app.get<ApiModuleOptions>(API_OPTIONS).ledgerIntegrity);
  setupOpenApi(app);
  return app;
};

/** `app.init()` plus Fastify's `ready()`: routes and plugins loaded, so the Node server answers (supertest needs no `listen`). */
export const initApp = async (app: NestFastifyApplication): Promise<NestFastifyApplication> => {
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
};

/** Holds every request until `opened` settles; once it has resolved, the hook costs a flag test. */
const holdRequestsUntil = (fastify: FastifyInstance, opened: Promise<void>): void => {
  let open = false;
  const gate = opened.then(() => {
    open = true;
  });
  gate.catch(() => undefined);
  fastify.addHook('onRequest', (_request, _reply, done) => {
    if (open) return done();
    gate.then(() => done(), (error: Error) => done(error));
  });
};

/** Builds and initialises the API over a store that is already open; does not listen. */
export const createApp = async (options: CreateAppOptions): Promise<NestFastifyApplication> => {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), createHttpAdapter(), {
    // Bodies are parsed by the API's own content-type parser so that parse errors become problem details.
    bodyParser: false,
    // A refusal while the modules are built (an unsafe side file, a read-only directory) reaches the caller, as
    // any start-up error: Nest's default would print its buffered logs in colour on stdout and exit on the spot.
    abortOnError: false,
    autoFlushLogs: false,
    bufferLogs: options.logger === undefined,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  configureApp(app, { structuredLog: options.logger === undefined });
  if (options.servingFrom) holdRequestsUntil(app.getHttpAdapter().getInstance() as FastifyInstance, options.servingFrom);
  return initApp(app);
};

/** `trial-ledger serve`: the API on `host:port` (loopback and 3000 by default). */
export const startServer = async (options: StartServerOptions): Promise<RunningServer> => {
  const app = await createApp(options);
  app.enableShutdownHooks();
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const http = app.getHttpServer() as Server;
  applyHttpServerLimits(http, limits);
  await app.listen(options.port ?? DEFAULT_PORT, options.host ?? DEFAULT_HOST);
  const address = http.address() as { port: number } | null;
  const url = `http://${options.host ?? DEFAULT_HOST}:${address?.port ?? options.port ?? DEFAULT_PORT}`;
  const close = async (): Promise<{ drained: boolean; cut: number }> => {
    const outcome = await drainHttpServer(http, limits.drainTimeoutMs);
    await app.close();
    return outcome;
  };
  return { app, url, close, requestsInFlight: () => requestsInFlight(app.getHttpAdapter().getInstance() as FastifyInstance) };
};
