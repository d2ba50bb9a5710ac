import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { AppModule, type AppModuleOptions } from './app.module';
import { applyHttpHardening } from './edge/http-hardening';
import { setupOpenApi } from './shared/openapi';

export interface CreateAppOptions extends AppModuleOptions {
  /** Nest's logger, `false` to silence it; default: the structured JSON log (nestjs-pino) on stderr. */
  readonly logger?: LoggerService | LogLevel[] | false;
}

export interface StartServerOptions extends CreateAppOptions {
  readonly port?: number;
  /** Loopback by default: exposing a clinical ledger on every interface must be a deliberate choice. */
  readonly host?: string;
}

export interface RunningServer {
  readonly app: INestApplication;
  /** e.g. `http://127.0.0.1:3000` */
  readonly url: string;
  /** Stops accepting requests; the store stays open (its owner closes it). */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = '127.0.0.1';

/**
 * Everything an app needs besides its module graph. Shared by `createApp` and by tests that build the
 * app from a Nest `TestingModule`, so both serve the same edge (security headers, `Cache-Control`,
 * OpenAPI document, no `X-Powered-By`).
 * Call before `app.init()`: the documentation routes must be registered before Nest's 404 handler.
 */
export const configureApp = (app: INestApplication, { structuredLog = true }: { structuredLog?: boolean } = {}): INestApplication => {
  const server = app.getHttpAdapter().getInstance() as { disable?: (setting: string) => void };
  server.disable?.('x-powered-by');
  // ETags are stream versions, set by the routes themselves (If-Match/ETag, SPEC §4); Express's
  // automatic body-hash ETags would be mistaken for them, so they are off.
  server.disable?.('etag');
  // Nest's own messages (start-up, the exception filter's, the security log) go to the same JSON log
  // as the access lines, unless the app was given a logger of its own (or `false`).
  if (structuredLog) app.useLogger(app.get(Logger));
  applyHttpHardening(app);
  setupOpenApi(app);
  return app;
};

/** Builds and initialises the API over a store that is already open; does not listen. */
export const createApp = async (options: CreateAppOptions): Promise<INestApplication> => {
  const app = await NestFactory.create(AppModule.forRoot(options), {
    // JSON bodies are parsed by JsonBodyMiddleware so that parse errors become problem details.
    bodyParser: false,
    bufferLogs: options.logger === undefined,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  configureApp(app, { structuredLog: options.logger === undefined });
  await app.init();
  return app;
};

/** `trial-ledger serve`: the API on `host:port` (loopback and 3000 by default). */
export const startServer = async (options: StartServerOptions): Promise<RunningServer> => {
  const app = await createApp(options);
  app.enableShutdownHooks();
  await app.listen(options.port ?? DEFAULT_PORT, options.host ?? DEFAULT_HOST);
  const address = app.getHttpServer().address() as { port: number } | null;
  const url = `http://${options.host ?? DEFAULT_HOST}:${address?.port ?? options.port ?? DEFAULT_PORT}`;
  return { app, url, close: () => app.close() };
};
