import { Catch, HttpException, HttpStatus, Injectable, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { loggedUrl } from '../edge/structured-logging';
import { loggedError } from '@trial-ledger/config';
import { DomainError } from '@trial-ledger/domain';
import { ConcurrencyError, StoreUnavailableError } from '@trial-ledger/event-store';
import type { HttpRequest, HttpResponse } from '../shared/http/http.types';
import { isAnswered, seeOther } from '../shared/http/replies';
import { noteRawProblemCode } from '../shared/http/raw-problem-code';
import { routedPath } from '../shared/http/routed-path';
import type { UnroutedPages } from '../shared/http/unrouted-pages';
import { ApiProblemException } from '../shared/problem-details/api-problem.exception';
import { RETRY_AFTER_SECONDS, serverErrorLine, STATUS_BY_KIND } from '../shared/problem-details/problem-details.exception-filter';
import { NO_SESSION, signedInOf, ViewerAccess, ViewerSignInRequired, type SignedIn } from './viewer-access';
import { pageToReturnTo } from './viewer-session';
import { ViewerRenderer } from './viewer.renderer';

/**
 * Viewer refusals as pages, with the same status and stable code the API would answer: a browser user
 * reads a sentence, a test reads the status. No session → the sign-in page (303).
 */
@Catch()
export class ViewerExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Viewer');

  constructor(
    private readonly renderer: ViewerRenderer,
    private readonly access: ViewerAccess,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<HttpRequest>();
    const response = host.switchToHttp().getResponse<HttpResponse>();
    if (isAnswered(response)) {
      const err = loggedError(exception);
      this.logger.error({ code: 'VIEWER.STREAM_FAILED', error: err }, `${request.method} ${loggedUrl(request.originalUrl)}: failed while streaming: ${err.message} VIEWER.STREAM_FAILED`);
      response.raw.destroy();
      return;
    }
    if (exception instanceof ViewerSignInRequired) {
      // A session the browser still presented but the identity service refused: the sign-in page says it has ended.
      // The page asked for goes with it, so signing in again opens it (the trail's filters as typed) rather than the list.
      const back = request.method === 'GET' ? pageToReturnTo(request.raw.url) : null;
      const params: Array<[string, string]> = [];
      if (exception.reason !== NO_SESSION) params.push(['session', 'ended']);
      if (back !== null) params.push(['next', back]);
      const query = new URLSearchParams(params).toString();
      seeOther(response, `/viewer/login${query === '' ? '' : `?${query}`}`);
      return;
    }
    const known = signedInOf(request);
    // A refusal raised before the page read the session still shows who is signed in — except one that must not
    // read it (a request from another site) and a store that cannot answer (503), which would not answer this either.
    const { status, code } = describe(exception);
    if (known !== null || status >= 500 || code === 'VIEWER.CROSS_SITE_REQUEST') {
      this.answer(exception, request, response, known);
      return;
    }
    // Nest's router waits for the reply itself once a handler has thrown, so it may be sent after the session is read.
    void this.access.identified(request).then(
      (who) => this.answer(exception, request, response, who),
      () => this.answer(exception, request, response, null),
    );
  }

  private answer(exception: unknown, request: HttpRequest, response: HttpResponse, signedIn: SignedIn | null): void {
    const { status, code, detail } = describe(exception);
    if (status >= 500) {
      // As the API's 5xx lines: the code, the correlation id, the error's type and words without a password, a 500's stack.
      const err = loggedError(exception);
      const line = serverErrorLine(code, status, exception, request);
      const message = `${request.method} ${loggedUrl(request.originalUrl)}: ${err.type}: ${err.message} ${code}`;
      if (status === 503) this.logger.warn(line, message);
      else this.logger.error(line, message);
    }
    const title = status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : status === 503 ? 'The ledger is unavailable' : 'The request was refused';
    const html = this.renderer.render('problem', { title, status, code, detail, actor: null, ...signedIn });
    // As the API's 503: the store may be back in a moment (the session, if any, is kept).
    if (status === HttpStatus.SERVICE_UNAVAILABLE) response.header('Retry-After', String(RETRY_AFTER_SECONDS));
    // An HTML page, no JSON problem the access line could read the code from: noted for it.
    noteRawProblemCode(response.raw, code);
    response.status(status).type('text/html; charset=utf-8').send(html);
  }
}

/** `/viewer` and everything under it (the matched route's path, or the URL of a request no route matched). */
export const VIEWER_PATH = /^\/viewer(?:[/?]|$)/i;

/** An address under `/viewer` that no page serves: the viewer's 404 page, with the API's code for it. */
@Injectable()
export class ViewerUnroutedPages implements UnroutedPages {
  constructor(private readonly filter: ViewerExceptionFilter) {}

  owns(request: HttpRequest): boolean {
    return VIEWER_PATH.test(routedPath(request));
  }

  notFound(host: ArgumentsHost): void {
    this.filter.catch(new ApiProblemException('ROUTE.NOT_FOUND', HttpStatus.NOT_FOUND, 'The viewer has no page at this address.'), host);
  }
}

/** A parameter name the page may repeat: one plain word (a misspelt `asKnowAt`), never a sentence or a control character. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/**
 * The parameters a page does not take, without repeating a name that is not one plain word: the API's sentence
 * repeats each name, so a link's `?Your account is locked, call …=1` would make the page (even the sign-in page)
 * say so. Null (the API's sentence) when every name is plain, and for any other problem.
 */
const unknownParametersInWords = (exception: ApiProblemException): string | null => {
  const errors = exception.extensions.errors;
  if (exception.code !== 'VALIDATION.FAILED' || !Array.isArray(errors) || errors.length === 0) return null;
  const fields = errors.map((e) => (e as { constraint?: unknown; field?: unknown }).constraint === 'unknownField' ? String((e as { field?: unknown }).field) : null);
  // Plain names keep the API's sentence ("property asKnowAt should not exist").
  if (fields.some((f) => f === null) || (fields as string[]).every((f) => PLAIN_NAME.test(f))) return null;
  const named = (fields as string[]).map((f) => (PLAIN_NAME.test(f) ? `property ${f} should not exist` : 'a property whose name is not one plain word should not exist'));
  return `The address has ${named.length} parameter(s) this page does not take: ${named.join('; ')}.`;
};

const describe = (exception: unknown): { status: number; code: string; detail: string } => {
  if (exception instanceof DomainError) return { status: STATUS_BY_KIND[exception.kind], code: exception.code, detail: exception.message };
  if (exception instanceof ApiProblemException) return { status: exception.status, code: exception.code, detail: unknownParametersInWords(exception) ?? exception.message };
  // An export whose record lost every retry of the append race: nothing was recorded, nothing served.
  if (exception instanceof ConcurrencyError) return { status: HttpStatus.CONFLICT, code: exception.code, detail: `${exception.message}; nothing was recorded or served, try again` };
  if (exception instanceof StoreUnavailableError) return { status: HttpStatus.SERVICE_UNAVAILABLE, code: exception.code, detail: 'The ledger cannot be reached or written now; nothing was recorded or served. Try again in a moment; you stay signed in.' };
  if (exception instanceof HttpException) return { status: exception.getStatus(), code: `HTTP.${exception.getStatus()}`, detail: exception.message };
  const coded = exception as { code?: unknown; status?: unknown; message?: unknown };
  if (typeof coded?.code === 'string' && typeof coded.status === 'number') return { status: coded.status, code: coded.code, detail: String(coded.message) };
  return { status: 500, code: 'INTERNAL.ERROR', detail: 'An unexpected error occurred.' };
};
