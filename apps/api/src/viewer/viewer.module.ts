import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { ProjectionsModule } from '../projections/projections.module';
import { routedPath } from '../shared/http/routed-path';
import { UNROUTED_PAGES } from '../shared/http/unrouted-pages';
import { ViewerAccess } from './viewer-access';
import { ViewerAuthHttpController } from './viewer-auth.http.controller';
import { ViewerExceptionFilter, ViewerUnroutedPages, VIEWER_PATH } from './viewer-exception.filter';
import { ViewerPagesHttpController } from './viewer-pages.http.controller';
import { ViewerReadModels } from './viewer-read-models';
import { ViewerSessions } from './viewer-session';
import { ViewerRenderer } from './viewer.renderer';

/**
 * The viewer's pages allow nothing but their own stylesheet: no script at all (the pages work without
 * it), no inline style, forms posting only to this origin, no framing. Replaces helmet's API-wide policy,
 * whose `style-src` admits inline styles for the OpenAPI UI.
 */
export const VIEWER_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Server-rendered, read-only pages for auditors, monitors and regulators under `/viewer`. */
@Module({
  imports: [ProjectionsModule],
  controllers: [ViewerAuthHttpController, ViewerPagesHttpController],
  providers: [ViewerSessions, ViewerRenderer, ViewerReadModels, ViewerAccess, ViewerExceptionFilter, { provide: UNROUTED_PAGES, useClass: ViewerUnroutedPages }],
  // The API's problem-details filter hands the router's 404s under /viewer to the viewer.
  exports: [UNROUTED_PAGES],
})
export class ViewerModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /**
   * The viewer's policy (and `X-Frame-Options: DENY`, as its `frame-ancestors 'none'`) replaces the API-wide
   * one on every response under `/viewer` (its 404s too).
   * Added once the app is configured, so this hook runs after helmet's and its header is the one sent.
   * (The sign-in and sign-out forms are read by the API's body parser: `request-body.parser.ts`.)
   */
  onModuleInit(): void {
    this.adapterHost.httpAdapter.getInstance<FastifyInstance>().addHook('onRequest', (request, reply, done) => {
      if (VIEWER_PATH.test(routedPath(request))) {
        reply.raw.setHeader('Content-Security-Policy', VIEWER_CSP);
        // The same refusal for browsers that read only the older header (helmet's default there is SAMEORIGIN).
        reply.raw.setHeader('X-Frame-Options', 'DENY');
      }
      done();
    });
  }
}
