import { createHash } from 'node:crypto';
import { HttpStatus, Injectable, type DynamicModule, type ExecutionContext, type Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { LEDGER_CONFIG } from '../config/ledger-config.module';
import type { LedgerConfig } from '@trial-ledger/config';
import { normaliseUsername } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import type { HttpResponse } from '../shared/http/http.types';
import { ApiProblemException } from '../shared/problem-details/api-problem.exception';
import { EVENT_STORE } from '../shared/tokens';
import { SharedThrottlerStorage } from './shared-throttler-storage';

/** The window both limits count in. */
const WINDOW_MS = 60_000;

/**
 * The routes where a password is checked — each attempt is recorded in the ledger (LoginFailed,
 * SignatureFailed, …) and costs a scrypt hash — and the count each adds to. The viewer's sign-in form
 * is the API's login through another door, its password form the API's password change: one count
 * each, so a second door doubles no limit. Everything
 * else is left alone: reads and commands are authenticated by a session token, which cannot be guessed.
 */
const GUARDED_ROUTES: ReadonlyMap<string, string> = new Map([
  ['POST /api/v1/auth/login', 'login'],
  ['POST /viewer/login', 'login'],
  ['POST /api/v1/auth/password', 'password-change'],
  ['POST /viewer/password', 'password-change'],
  ['POST /api/v1/studies/:studyId/subjects/:subjectId/signatures', 'signature'],
]);

interface RoutedRequest {
  readonly method: string;
  readonly routeOptions?: { readonly url?: string };
  readonly body?: unknown;
  readonly ip?: string;
}

/** The count a request adds to (by the route the router matched, however the path was spelled), if any. */
const countOf = (context: ExecutionContext): string | undefined => {
  const request = context.switchToHttp().getRequest<RoutedRequest>();
  return GUARDED_ROUTES.get(`${request.method} ${request.routeOptions?.url ?? ''}`);
};

/** The username the request names (login, password change and signature all re-enter it), case-folded as identity does. */
const attemptedUsername = (request: RoutedRequest): string => {
  const username = (request.body as { username?: unknown } | undefined)?.username;
  return typeof username === 'string' ? normaliseUsername(username) : '';
};

/**
 * @nestjs/throttler on the password routes, per client address and per attempted username, each
 * route its own bucket. A request over either limit is answered 429 `REQUEST.RATE_LIMITED` with
 * `Retry-After` before it reaches the identity service: it is counted here (and in the access log),
 * never recorded in the ledger — so neither an anonymous client nor one account can grow the
 * append-only ledger faster than the limits allow, however long it keeps trying.
 */
@Injectable()
export class PasswordRouteThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return countOf(context) === undefined;
  }

  /** The count's key: hashed, as the throttler's own keys are; the route's count, not its handler, names it. */
  protected override generateKey(context: ExecutionContext, tracker: string, name: string): string {
    return createHash('sha256').update(`${countOf(context)}-${name}-${tracker}`).digest('hex');
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const response = context.switchToHttp().getResponse<HttpResponse>();
    const seconds = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    response.header('Retry-After', String(seconds));
    throw new ApiProblemException('REQUEST.RATE_LIMITED', HttpStatus.TOO_MANY_REQUESTS, `Too many attempts; try again in ${seconds} s. This attempt was not processed.`, {
      retryAfterSeconds: seconds,
    });
  }
}

/** The throttler's module, with limits from the validated configuration. */
export const throttlingModule = (): DynamicModule =>
  ThrottlerModule.forRootAsync({
    inject: [ConfigService, EVENT_STORE],
    useFactory: (config: ConfigService, store: EventStore) => {
      const { throttle } = config.getOrThrow<LedgerConfig>(LEDGER_CONFIG);
      return {
        setHeaders: false,
        // Several instances on one PostgreSQL database share the counts; a SQLite ledger has one server
        // process, whose memory is the whole count (a restart starts the windows afresh).
        ...(store.serverState ? { storage: new SharedThrottlerStorage(store.serverState) } : {}),
        throttlers: [
          { name: 'address', ttl: WINDOW_MS, limit: throttle.perAddress },
          { name: 'user', ttl: WINDOW_MS, limit: throttle.perUser, getTracker: (request) => attemptedUsername(request as RoutedRequest) },
        ],
      };
    },
  });

export const throttlingGuard: Provider = { provide: APP_GUARD, useClass: PasswordRouteThrottlerGuard };
