import { Injectable } from '@nestjs/common';
import { DomainError, type Actor, type Role } from '@trial-ledger/domain';
import { AuthenticationService, AuthorizationLog } from '@trial-ledger/identity';
import type { HttpRequest } from '../shared/http/http.types';
import { ViewerSessions } from './viewer-session';

/** The reason of a `ViewerSignInRequired` for a browser that presented no session cookie at all. */
export const NO_SESSION = 'no session';

/** No session, or one that expired or was ended: the filter sends the browser to the sign-in page. */
export class ViewerSignInRequired extends Error {
  constructor(readonly reason: string) {
    super(`Sign-in required: ${reason}`);
  }
}

export interface SignedIn {
  readonly actor: Actor;
  /** The form token every POST from the page must carry (bound to this session). */
  readonly csrf: string;
}

/** Who a request was signed in as, once known: a problem page shown to them keeps the header and its sign-out form. */
const signedInByRequest = new WeakMap<object, SignedIn>();

export const signedInOf = (request: HttpRequest): SignedIn | null => signedInByRequest.get(request.raw) ?? null;

/**
 * Who is reading and whether they may: the identity session behind the cookie (touching it resets the
 * inactivity clock, as an API call does), then the page's roles, checked and — on refusal — recorded
 * as `AuthorizationRefused` exactly as the API's guard does.
 */
@Injectable()
export class ViewerAccess {
  constructor(
    private readonly sessions: ViewerSessions,
    private readonly auth: AuthenticationService,
    private readonly authorization: AuthorizationLog,
  ) {}

  async signedIn(request: HttpRequest): Promise<SignedIn> {
    const token = this.sessions.sessionToken(request);
    if (token === null) throw new ViewerSignInRequired(NO_SESSION);
    try {
      const actor = await this.auth.authenticate(token);
      const who = { actor, csrf: this.sessions.csrfToken(token) };
      signedInByRequest.set(request.raw, who);
      return who;
    } catch (error) {
      // Only a refused session (unknown, expired, ended) sends the browser to sign in again; a store that
      // cannot answer (503 STORE.*) is not a lost session, and the filter says the ledger is unavailable.
      if (error instanceof DomainError && error.kind === 'unauthenticated') throw new ViewerSignInRequired(error.code);
      throw error;
    }
  }

  /**
   * Who the session names, for a problem page raised before the page's handler read it (a parameter the page does
   * not take, an address no page serves): the page keeps its signed-in header. Null without a session, or when
   * the session is refused or cannot be checked; the page is then shown without the header, and the refusal stands.
   */
  async identified(request: HttpRequest): Promise<SignedIn | null> {
    const known = signedInOf(request);
    if (known !== null || this.sessions.sessionToken(request) === null) return known;
    try {
      return await this.signedIn(request);
    } catch {
      return null;
    }
  }

  async allowed(request: HttpRequest, roles: readonly Role[], page: string): Promise<SignedIn> {
    const who = await this.signedIn(request);
    await this.authorization.authorize(who.actor, roles, `Viewer ${page}`, 'api');
    return who;
  }
}
