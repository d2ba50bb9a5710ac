import { Controller, Get, HttpStatus, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { DeclaredQueryGuard, QueryParameters } from '../shared/validation/declared-query.guard';
import { ApiExcludeController } from '@nestjs/swagger';
import { DomainError } from '@trial-ledger/domain';
import { AuthenticationService } from '@trial-ledger/identity';
import { originOf } from '../identity/client-origin';
import { STATUS_BY_KIND } from '../shared/problem-details/problem-details.exception-filter';
import type { HttpRequest, HttpResponse } from '../shared/http/http.types';
import { seeOther } from '../shared/http/replies';
import { noteRawProblemCode } from '../shared/http/raw-problem-code';
import { VIEWER_CSS } from './templates/layout.template';
import { ViewerExceptionFilter } from './viewer-exception.filter';
import { ViewerRequestSiteGuard } from './viewer-request-site.guard';
import { CSRF_FIELD, pageToReturnTo, PRE_SESSION_COOKIE, SESSION_COOKIE, ViewerSessions } from './viewer-session';
import { ViewerAccess } from './viewer-access';
import { ViewerRenderer } from './viewer.renderer';

const formField = (request: HttpRequest, name: string): unknown => {
  const body = request.body;
  return body !== null && typeof body === 'object' && Object.hasOwn(body, name) ? (body as Record<string, unknown>)[name] : undefined;
};

/** What the sign-in form is told, in the viewer's words, when the password is right but must be replaced first. */
const MUST_CHANGE: Readonly<Record<string, string>> = {
  'AUTH.PASSWORD_CHANGE_REQUIRED': 'Your password was set by an administrator and is temporary: choose your own first ("Change your password", below), then sign in with it.',
  'AUTH.PASSWORD_EXPIRED': 'Your password has expired: choose a new one first ("Change your password", below), then sign in with it.',
};

/** A sign-in or password form sent with a field missing or too long. */
const FORM_INCOMPLETE = 'VIEWER.FORM_INCOMPLETE';

const SESSION_ENDED = 'Your session has ended (after a time without activity, a sign-out, a change of password, or a change to your account); sign in again.';

/** A typed username as the form shows it back: without control or format characters. */
const shownUsername = (username: string): string => username.replace(/[\p{Cc}\p{Cf}]/gu, '');

/** A refused form post: nothing is read or written, whatever else it carries. */
const csrfRefused = (): DomainError =>
  new DomainError('VIEWER.CSRF_TOKEN_INVALID', 'The form is missing its security token or it does not match your session; reload the page and try again.', 'forbidden');

/**
 * Sign-in and sign-out. The password check, lockout, password expiry and their audit events are the
 * identity service's (`identity.auth.login`), the same as `POST /api/v1/auth/login`; the viewer only
 * keeps the session token in an HttpOnly, SameSite=Strict cookie.
 */
@ApiExcludeController()
@UseFilters(ViewerExceptionFilter)
@Controller('viewer')
@UseGuards(ViewerRequestSiteGuard, DeclaredQueryGuard)
export class ViewerAuthHttpController {
  constructor(
    private readonly sessions: ViewerSessions,
    private readonly renderer: ViewerRenderer,
    private readonly auth: AuthenticationService,
    private readonly access: ViewerAccess,
  ) {}

  @Get('assets/viewer.css')
  stylesheet(@Res() response: HttpResponse): void {
    response.status(200).type('text/css; charset=utf-8').send(VIEWER_CSS);
  }

  /** `?session=ended`: where a page sends a browser whose session expired or was ended, so the form says why it is shown. */
  @Get('login')
  @QueryParameters('session', 'next')
  loginForm(@Req() request: HttpRequest, @Res() response: HttpResponse): void {
    const query = request.query as Record<string, unknown>;
    this.showLogin(request, response, HttpStatus.OK, '', '', query.session === 'ended' ? SESSION_ENDED : '', pageToReturnTo(query.next) ?? '');
  }

  @Post('login')
  async login(@Req() request: HttpRequest, @Res() response: HttpResponse): Promise<void> {
    const pre = this.sessions.cookies(request)[PRE_SESSION_COOKIE];
    if (!this.sessions.csrfValid(pre, formField(request, CSRF_FIELD))) throw csrfRefused();
    const username = formField(request, 'username');
    const password = formField(request, 'password');
    // The page the browser was on when its session ended (a viewer page only; anything else opens the studies list).
    const next = pageToReturnTo(formField(request, 'next')) ?? '';
    if (typeof username !== 'string' || typeof password !== 'string' || username.length === 0 || username.length > 200 || password.length > 1024) {
      this.showLogin(request, response, HttpStatus.BAD_REQUEST, 'Enter your username and password.', '', '', next, FORM_INCOMPLETE);
      return;
    }
    try {
      const session = await this.auth.login(username, password, originOf(request));
      await this.endReplacedSession(this.sessions.sessionToken(request));
      this.sessions.clearCookie(request, response, PRE_SESSION_COOKIE);
      this.sessions.setCookie(request, response, SESSION_COOKIE, session.token);
      seeOther(response, next === '' ? '/viewer' : next);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // The password was right, but the identity service wants it replaced: the form says how, in the viewer.
      const mustChange = MUST_CHANGE[error.code];
      if (mustChange !== undefined) return this.showLogin(request, response, STATUS_BY_KIND[error.kind], mustChange, shownUsername(username), '', next, error.code);
      if (error.kind !== 'unauthenticated') throw error;
      // The identity service's own wording: uniform for unknown users and wrong passwords.
      this.showLogin(request, response, HttpStatus.UNAUTHORIZED, error.message, shownUsername(username), '', next, error.code);
    }
  }

  @Get('password')
  async passwordForm(@Req() request: HttpRequest, @Res() response: HttpResponse): Promise<void> {
    await this.showPassword(request, response, HttpStatus.OK, '', '');
  }

  /**
   * The identity service's own password change (`POST /api/v1/auth/password`: the current password proves who
   * it is, the password rules and history, `PasswordChanged` or the refusal recorded, every session of the user
   * ended), the way out of a temporary or expired password for someone who has only a browser. A refusal shows
   * the form again with the reason; a change shows the sign-in form.
   */
  @Post('password')
  async changePassword(@Req() request: HttpRequest, @Res() response: HttpResponse): Promise<void> {
    const pre = this.sessions.cookies(request)[PRE_SESSION_COOKIE];
    if (!this.sessions.csrfValid(pre, formField(request, CSRF_FIELD))) throw csrfRefused();
    const [username, currentPassword, newPassword, confirmPassword] = ['username', 'currentPassword', 'newPassword', 'confirmPassword'].map((name) => formField(request, name));
    const typed = typeof username === 'string' ? shownUsername(username).slice(0, 200) : '';
    const texts = [username, currentPassword, newPassword, confirmPassword];
    if (!texts.every((t): t is string => typeof t === 'string' && t.length > 0 && t.length <= 1024) || (username as string).length > 200) {
      return this.showPassword(request, response, HttpStatus.BAD_REQUEST, 'Enter your username, your current password and the new one twice; nothing was changed.', typed, FORM_INCOMPLETE);
    }
    if (newPassword !== confirmPassword) {
      return this.showPassword(request, response, HttpStatus.BAD_REQUEST, 'The two new passwords do not match; nothing was changed.', typed, 'VIEWER.PASSWORDS_DIFFER');
    }
    try {
      await this.auth.changePassword({ username: username as string, currentPassword: currentPassword as string, newPassword: newPassword as string }, originOf(request));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return this.showPassword(request, response, STATUS_BY_KIND[error.kind], `${error.message.replace(/\.?$/, '.')} Nothing was changed.`, typed, error.code);
    }
    this.showLogin(request, response, HttpStatus.OK, '', typed, 'Your password is changed and you are signed out everywhere: sign in with the new one.');
  }

  @Post('logout')
  async logout(@Req() request: HttpRequest, @Res() response: HttpResponse): Promise<void> {
    const token = this.sessions.sessionToken(request);
    if (!this.sessions.csrfValid(token, formField(request, CSRF_FIELD))) {
      // Most often a page left open in another tab before another sign-in in this browser replaced its session:
      // signing out the session the browser holds now would sign out someone else. The page's header shows who that is.
      throw new DomainError(
        'VIEWER.CSRF_TOKEN_INVALID',
        'This sign-out form was for a session this browser no longer holds (it ended, or another sign-in in this browser replaced it), or it lacks its security token; nobody was signed out. The header shows who is signed in now.',
        'forbidden',
      );
    }
    try {
      await this.auth.logout(token as string, 'api');
    } catch (error) {
      // Already expired or ended: signing out again is not an error for the person at the browser.
      if (!(error instanceof DomainError) || error.kind !== 'unauthenticated') throw error;
    }
    this.sessions.clearCookie(request, response, SESSION_COOKIE);
    seeOther(response, '/viewer/login');
  }

  /**
   * A browser that signs in again while it still held a session (another user's, or its own) gets a new
   * cookie; the session it replaces is signed out, so a copy of the old cookie stops working too.
   */
  private async endReplacedSession(previous: string | null): Promise<void> {
    if (typeof previous !== 'string') return;
    try {
      await this.auth.logout(previous, 'api');
    } catch (error) {
      if (!(error instanceof DomainError) || error.kind !== 'unauthenticated') throw error;
    }
  }

  /** The sign-in form, again with the refusal's code (`code`) when it answers one: the access line names it. */
  private showLogin(request: HttpRequest, response: HttpResponse, status: number, message: string, username: string, notice = '', next = '', code?: string): void {
    if (code !== undefined) noteRawProblemCode(response.raw, code);
    const csrf = this.sessions.csrfToken(this.sessions.preSession(request, response));
    response.status(status).type('text/html; charset=utf-8').send(this.renderer.render('login', { title: 'Sign in', actor: null, csrf, message, username, notice, next }));
  }

  /**
   * The password form, with the header of whoever the browser is signed in as (a signed-in user changes their own
   * password here too): the form carries the pre-session's token (`formCsrf`), the header's sign-out form the session's.
   */
  private async showPassword(request: HttpRequest, response: HttpResponse, status: number, message: string, username: string, code?: string): Promise<void> {
    if (code !== undefined) noteRawProblemCode(response.raw, code);
    const formCsrf = this.sessions.csrfToken(this.sessions.preSession(request, response));
    const signedIn = await this.access.identified(request);
    response.status(status).type('text/html; charset=utf-8').send(this.renderer.render('password', { title: 'Change your password', actor: null, ...signedIn, formCsrf, message, username }));
  }
}
