import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '@trial-ledger/domain';
import type { HttpRequest } from '../shared/http/http.types';

const SAME_ORIGIN_ONLY = 'trial-ledger:viewer-same-origin-only';

/**
 * A viewer route that changes the ledger although it is a GET (a download is recorded as `DataExported`
 * before it is served): only a request from the viewer's own pages, or one the person typed, may run it.
 */
export const SameOriginOnly = (): MethodDecorator => SetMetadata(SAME_ORIGIN_ONLY, true);

/**
 * The browser's Fetch Metadata (`Sec-Fetch-Site`, `Sec-Fetch-Mode`), checked before the session is read.
 * `SameSite=Strict` keeps the session cookie from other *sites*, but a sibling host under the same
 * registrable domain (`intranet.example.org` beside `ledger.example.org`) is the same site: its page
 * could make a signed-in monitor's browser fetch an export URL (`<img src>`), and the ledger would record
 * a `DataExported` in the monitor's name that they never asked for — or an administrator's browser fetch
 * study pages, each recorded as the administrator's `AuthorizationRefused`. So a request from another
 * origin is refused (403 `VIEWER.CROSS_SITE_REQUEST`, nothing read or recorded) unless it is a plain GET
 * navigation to a page that records nothing of its own (a link followed from an intranet portal); a
 * `@SameOriginOnly()` route and every form post need a request from the viewer itself (`same-origin`) or
 * the address bar (`none`). A client that sends no Fetch Metadata (curl, scripts, older browsers) is not
 * refused: the headers are the browser's word, not the server's proof, and the forms' tokens still hold.
 */
@Injectable()
export class ViewerRequestSiteGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const site = request.headers['sec-fetch-site'];
    if (site === undefined || site === 'same-origin' || site === 'none') return true;
    const sameOriginOnly = this.reflector.get<boolean | undefined>(SAME_ORIGIN_ONLY, context.getHandler()) === true;
    const navigation = request.method === 'GET' && request.headers['sec-fetch-mode'] === 'navigate';
    if (navigation && !sameOriginOnly) return true;
    throw new DomainError(
      'VIEWER.CROSS_SITE_REQUEST',
      'This request came from another web site or host, not from the viewer; nothing was read or recorded. Open the viewer yourself and use its own links and forms.',
      'forbidden',
    );
  }
}
