import helmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { OPENAPI_PATH } from '../shared/openapi';

/**
 * Responses carry bearer tokens (login) or subject data (casebooks, exports, problems naming
 * subjects): no browser, proxy or CDN may keep a copy (HIPAA/GDPR minimum necessary; Part 11
 * §11.10(d) limits access to authorised people, which a shared cache would defeat). Only the static
 * OpenAPI pages may be cached.
 */
const NO_STORE = 'no-store';

/**
 * The security headers every response gets, errors and unknown routes included (helmet's defaults
 * through @fastify/helmet: CSP, HSTS, nosniff, frame-ancestors 'none', no referrer, COOP/CORP, …).
 * `upgrade-insecure-requests` is dropped because `trial-ledger serve` speaks plain HTTP on loopback
 * (TLS is the reverse proxy's job), where that directive would break the OpenAPI UI. Both are set on
 * Node's response in `onRequest`, so a reply sent by a route, the error handler or the 404 handler
 * keeps them. The viewer's routes bring their own policy (`VIEWER_ROUTE_CONFIG`).
 */
export const applyHttpHardening = async (app: NestFastifyApplication): Promise<void> => {
  await app.register(helmet, { contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
  const docs = `/${OPENAPI_PATH}`;
  (app.getHttpAdapter().getInstance() as FastifyInstance).addHook('onRequest', (request, reply, done) => {
    if (!request.url.startsWith(docs)) reply.raw.setHeader('Cache-Control', NO_STORE);
    done();
  });
};
