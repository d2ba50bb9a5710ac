import { createRequire } from 'node:module';
import { Injectable, Module, RequestMethod, type MiddlewareConsumer, type NestMiddleware, type NestModule } from '@nestjs/common';
import { ProjectionsModule } from '../projections/projections.module';
import type { HttpHandler, HttpRequest, HttpResponse, NextHandler } from '../shared/http/http.types';
import { ViewerAccess } from './viewer-access';
import { ViewerAuthHttpController } from './viewer-auth.http.controller';
import { ViewerExceptionFilter } from './viewer-exception.filter';
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

@Injectable()
export class ViewerCspMiddleware implements NestMiddleware<HttpRequest, HttpResponse> {
  use(_request: HttpRequest, response: HttpResponse, next: NextHandler): void {
    response.setHeader('Content-Security-Policy', VIEWER_CSP);
    next();
  }
}

/** Express's own form parser (the sign-in and sign-out forms), small bodies only. */
const urlencoded = (createRequire(__filename)('express') as { urlencoded: (options: { extended: boolean; limit: string; parameterLimit: number }) => HttpHandler }).urlencoded({
  extended: false,
  limit: '8kb',
  parameterLimit: 10,
});

@Injectable()
export class ViewerFormBodyMiddleware implements NestMiddleware<HttpRequest, HttpResponse> {
  use(request: HttpRequest, response: HttpResponse, next: NextHandler): void {
    urlencoded(request, response, next);
  }
}

/** Server-rendered, read-only pages for auditors, monitors and regulators under `/viewer`. */
@Module({
  imports: [ProjectionsModule],
  controllers: [ViewerAuthHttpController, ViewerPagesHttpController],
  providers: [ViewerSessions, ViewerRenderer, ViewerReadModels, ViewerAccess, ViewerExceptionFilter],
})
export class ViewerModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ViewerCspMiddleware).forRoutes({ path: 'viewer', method: RequestMethod.ALL }, { path: 'viewer/*path', method: RequestMethod.ALL });
    consumer.apply(ViewerFormBodyMiddleware).forRoutes({ path: 'viewer/*path', method: RequestMethod.POST });
  }
}
