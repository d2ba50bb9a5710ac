import type { ArgumentsHost } from '@nestjs/common';
import type { HttpRequest } from './http.types';

/**
 * A part of the app served as pages (the viewer) that answers an address no route matched under its
 * own path with its own page, so a mistyped link in a browser gets that page rather than the API's
 * problem document. The one problem-details filter asks it before answering a 404.
 */
export interface UnroutedPages {
  /** Whether the request's path is one this part of the app serves. */
  owns(request: HttpRequest): boolean;
  /** Answers the router's 404 as a page. */
  notFound(host: ArgumentsHost): void;
}

export const UNROUTED_PAGES = Symbol('UNROUTED_PAGES');
