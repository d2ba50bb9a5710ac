import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { HttpRequest, HttpResponse } from '../shared/http/http.types';

/** The identity session's bearer token, kept where page scripts cannot read it. */
export const SESSION_COOKIE = 'tl_viewer_session';
/** A random value bound to the sign-in form before any session exists (login CSRF). */
export const PRE_SESSION_COOKIE = 'tl_viewer_pre';
export const CSRF_FIELD = '_csrf';
/** What the HMAC of a form token is for, so the same key can never yield it for another purpose. */
const CSRF_PURPOSE = 'trial-ledger viewer form v1';

/**
 * The first value of a proxy's `X-Forwarded-Proto` (`https, http` when proxies are chained) or of the
 * `proto=` of RFC 7239's `Forwarded`, lower-cased.
 */
const forwardedProto = (request: HttpRequest): string | undefined => {
  const forwarded = request.headers.forwarded;
  const proto = typeof forwarded === 'string' ? /(?:^|[;,\s])proto="?([A-Za-z]+)/i.exec(forwarded)?.[1] : undefined;
  const xfp = request.headers['x-forwarded-proto'];
  const first = (typeof xfp === 'string' ? xfp : Array.isArray(xfp) ? xfp[0] : proto ?? '').split(',')[0].trim();
  return first === '' ? undefined : first.toLowerCase();
};

/**
 * Secure over TLS: on a TLS socket, or when the proxy in front (`trial-ledger serve` speaks plain HTTP:
 * TLS is the reverse proxy's job) says the browser's request came over HTTPS. The forwarding headers
 * are read here only, without Fastify's `trustProxy` (which would also change the client address the
 * rate limits count by): a client that sends one itself can only make its own cookie Secure. Not over
 * plain HTTP on loopback, where a Secure cookie would never come back.
 */
const isTls = (request: HttpRequest): boolean => request.protocol === 'https' || forwardedProto(request) === 'https';

/**
 * The viewer's cookie session and its CSRF defence. The cookie holds the identity session's token (so
 * inactivity expiry, lockout and sign-out are the identity service's, one rule for API and viewer);
 * every form carries a synchronizer token derived from the cookie's secret value: HMAC-SHA256 keyed by
 * it (the session token, or before sign-in the pre-session value). A form posted from another site
 * cannot carry it (that site can read neither the HttpOnly cookie nor the page), and no server-side
 * secret is involved, so a token made by one API instance is valid on every other one behind the same
 * load balancer, and after a restart. The session store keeps only the token's SHA-256, from which
 * this HMAC cannot be computed: a copy of the store forges no form.
 */
@Injectable()
export class ViewerSessions {

  cookies(request: HttpRequest): Readonly<Record<string, string | undefined>> {
    const header = request.headers.cookie;
    return typeof header === 'string' ? parseCookie(header) : {};
  }

  sessionToken(request: HttpRequest): string | null {
    const token = this.cookies(request)[SESSION_COOKIE];
    return typeof token === 'string' && token.length > 0 ? token : null;
  }

  /** The pre-session value of the sign-in form, created (and set) when the browser has none yet. */
  preSession(request: HttpRequest, response: HttpResponse): string {
    const existing = this.cookies(request)[PRE_SESSION_COOKIE];
    if (typeof existing === 'string' && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
    const value = randomBytes(32).toString('base64url');
    this.setCookie(request, response, PRE_SESSION_COOKIE, value);
    return value;
  }

  csrfToken(binding: string): string {
    return createHmac('sha256', binding).update(CSRF_PURPOSE).digest('base64url');
  }

  /** Constant-time check of the form's token against the one the binding cookie implies. */
  csrfValid(binding: string | null | undefined, presented: unknown): boolean {
    if (typeof binding !== 'string' || binding.length === 0 || typeof presented !== 'string') return false;
    const expected = Buffer.from(this.csrfToken(binding));
    const given = Buffer.from(presented);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  setCookie(request: HttpRequest, response: HttpResponse, name: string, value: string): void {
    this.appendCookie(response, stringifySetCookie({ name, value, httpOnly: true, sameSite: 'strict', secure: isTls(request), path: '/viewer' }));
  }

  clearCookie(request: HttpRequest, response: HttpResponse, name: string): void {
    this.appendCookie(response, stringifySetCookie({ name, value: '', httpOnly: true, sameSite: 'strict', secure: isTls(request), path: '/viewer', maxAge: 0 }));
  }

  /** Fastify's `reply.header` adds a `Set-Cookie` to those already set (re-sending them would repeat them, out of order). */
  private appendCookie(response: HttpResponse, cookie: string): void {
    response.header('Set-Cookie', cookie);
  }
}

/**
 * The viewer's reading pages (studies, dashboard, subjects, casebook, trail) with their query, as a browser sends
 * the address: printable ASCII, no backslash, no dot segment. Not the sign-in, sign-out or password pages, nor a
 * download (it records an export, which signing in must not do on a link's say-so).
 */
const PAGE_ADDRESS = /^\/viewer(?:\/studies\/[A-Za-z0-9._~%-]+(?:\/subjects(?:\/[A-Za-z0-9._~%-]+)?|\/audit-trail)?)?\/?(?:\?[\x21-\x5b\x5d-\x7e]*)?$/;

/** Where to go once signed in: `address` when it is one of the viewer's reading pages, else null (the studies list). */
export const pageToReturnTo = (address: unknown): string | null =>
  typeof address === 'string' && address.length <= 2000 && PAGE_ADDRESS.test(address) && !/(^|\/)\.\.?(\/|\?|$)/.test(address) ? address : null;
