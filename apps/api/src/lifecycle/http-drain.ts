import type { Server } from 'node:http';

/** Bounds on what one client can hold of the server; every figure is configurable through `serve`. */
export interface HttpServerLimits {
  /** Time to receive a request's headers (Node's default 60 s). Slowloris-style clients are cut after it. */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request, body included (Node's default 300 s): a body trickled a byte a second is cut after it. */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  readonly keepAliveTimeoutMs: number;
  /** Connections beyond this are refused at accept, so a flood cannot exhaust file descriptors or memory. */
  readonly maxConnections: number;
  /** On SIGTERM, requests already received get this long to finish before every connection is closed. */
  readonly drainTimeoutMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 512,
  drainTimeoutMs: 10_000,
};

/** Requests whose response has not finished yet, per server: what a drain waits for. */
const inFlight = new WeakMap<Server, { count: number; onIdle: Set<() => void> }>();

/**
 * Applies the limits to a server that is not yet listening. Node checks the header and request
 * timeouts on a timer (every 30 s by default, so a 30 s limit could hold a slow client for nearly a
 * minute); it is checked every second here.
 */
export const applyHttpServerLimits = (server: Server, limits: HttpServerLimits): void => {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = 1_000;
  const state = { count: 0, onIdle: new Set<() => void>() };
  inFlight.set(server, state);
  server.on('request', (_request, response) => {
    state.count += 1;
    response.once('close', () => {
      state.count -= 1;
      if (state.count === 0) for (const resolve of state.onIdle) resolve();
    });
  });
};

/**
 * Graceful drain: stop accepting at once, let the requests already received finish (up to
 * `deadlineMs`), closing each keep-alive connection as it falls idle; then close every connection
 * left — idle ones, and clients still sending headers or a body — so nothing keeps the process alive.
 * Resolves with whether every in-flight request finished before the deadline.
 */
export const drainHttpServer = async (server: Server, deadlineMs: number): Promise<{ drained: boolean; cut: number }> => {
  const state = inFlight.get(server) ?? { count: 0, onIdle: new Set<() => void>() };
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Keep-alive connections that finish their request during the drain are closed as soon as they are idle.
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  let timer: NodeJS.Timeout | undefined;
  const drained = await new Promise<boolean>((resolve) => {
    if (state.count === 0) return resolve(true);
    const done = (): void => resolve(true);
    state.onIdle.add(done);
    timer = setTimeout(() => {
      state.onIdle.delete(done);
      resolve(false);
    }, deadlineMs);
  });
  clearTimeout(timer);
  clearInterval(sweep);
  const cut = state.count;
  server.closeAllConnections();
  await closed;
  return { drained, cut };
};
