import type { INestApplication } from '@nestjs/common';
import helmet from 'helmet';
import type { HttpRequest, HttpResponse } from '../shared/http/http.types';
import { OPENAPI_PATH } from '../shared/openapi';

/**
 * Responses carry bearer tokens (login) or subject data (casebooks, exports, problems naming
 * subjects): no browser, proxy or CDN may keep a copy (HIPAA/GDPR minimum necessary; Part 11
 * §11.10(d) limits access to authorised people, which a shared cache would defeat). Only the static
 * OpenAPI pages may be cached.
 */
const NO_STORE = 'no-store';

const noStore = (request: HttpRequest, response: HttpResponse, next: () => void): void => {
  if (!request.originalUrl.startsWith(`/${OPENAPI_PATH}`)) response.setHeader('Cache-Control', NO_STORE);
  next();
};

/**
 * The security headers every response gets, errors and unknown routes included (helmet's defaults:
 * CSP, HSTS, nosniff, frame-ancestors 'none', no referrer, COOP/CORP, …). `upgrade-insecure-requests` is
 * dropped because `trial-ledger serve` speaks plain HTTP on loopback (TLS is the reverse proxy's job),
 * where that directive would break the OpenAPI UI.
 */
export const applyHttpHardening = (app: INestApplication): void => {
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.use(noStore);
};
