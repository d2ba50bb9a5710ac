import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { noteRawProblemCode } from '../shared/http/raw-problem-code';
import { buildProblem, PROBLEM_CONTENT_TYPE } from '../shared/problem-details/problem-details';

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

interface InFlight {
  count: number;
  readonly onIdle: Set<() => void>;
  /** Each request whose response has not closed yet, with that response. */
  readonly exchanges: Map<IncomingMessage, ServerResponse>;
}

/** Requests whose response has not finished yet, per server: what a drain waits for. */
const inFlight = new WeakMap<Server, InFlight>();

const emptyInFlight = (): InFlight => ({ count: 0, onIdle: new Set(), exchanges: new Map() });

/** How long the refusals written at the drain deadline get to leave before the connections are closed. */
const REFUSAL_FLUSH_MS = 500;

/**
 * At the drain deadline, a request whose body has not all arrived has not reached its route: nothing of it
 * was decided or recorded. It is told so — `503 SERVE.SHUTTING_DOWN`, `Retry-After`, the connection closed —
 * rather than cut off without an answer, which a client could not tell from a command lost after it was
 * recorded. A request whose body has arrived may be deciding or appending; it gets no such answer.
 * Resolves when the refusals have been written out (or after `REFUSAL_FLUSH_MS`).
 */
const refuseUnreceived = async (state: InFlight): Promise<void> => {
  const written: Promise<unknown>[] = [];
  for (const [request, response] of state.exchanges) {
    if (request.complete || response.headersSent || response.writableEnded) continue;
    const instance = (request.url ?? '/').split('?')[0];
    const problem = buildProblem('SERVE.SHUTTING_DOWN', 503, 'The server is stopping and the request body had not all arrived: nothing of it was recorded. Send it again.', instance);
    const text = JSON.stringify(problem);
    response.shouldKeepAlive = false;
    noteRawProblemCode(response, problem.code);
    response.writeHead(503, { 'Content-Type': `${PROBLEM_CONTENT_TYPE}; charset=utf-8`, 'Content-Length': Buffer.byteLength(text), 'Retry-After': '5', Connection: 'close' });
    written.push(new Promise((resolve) => response.end(text, () => resolve(undefined))));
  }
  if (written.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(written), new Promise((resolve) => (timer = setTimeout(resolve, REFUSAL_FLUSH_MS)))]);
  clearTimeout(timer);
};

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
  const state = emptyInFlight();
  inFlight.set(server, state);
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    state.count += 1;
    state.exchanges.set(request, response);
    response.once('close', () => {
      state.count -= 1;
      state.exchanges.delete(request);
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
  const state = inFlight.get(server) ?? emptyInFlight();
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
  if (!drained) await refuseUnreceived(state);
  server.closeAllConnections();
  await closed;
  return { drained, cut };
};
