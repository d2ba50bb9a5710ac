import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { INTEGRITY_HEADER } from '../edge/ledger-damage-marker';

export const OPENAPI_PATH = 'api/docs';

const INTEGRITY_HEADER_DESCRIPTION =
  `\`${INTEGRITY_HEADER}: damaged; code="LEDGER.TAMPERED"; position=N\` (an RFC 8941 item; N, the first damaged position, to a signed-in caller only), ` +
  'for as long as the server runs; an intact ledger\'s answers carry no such header.';

/** `Ledger-Integrity` as an OpenAPI header object (`components.headers`). */
const INTEGRITY_HEADER_OPENAPI = {
  description: `Present once the server has found damage in its ledger (what turns /health 503 LEDGER.TAMPERED): ${INTEGRITY_HEADER_DESCRIPTION}`,
  schema: { type: 'string', example: 'damaged; code="LEDGER.TAMPERED"; position=42' },
};

/** Serves the OpenAPI document at `/api/docs` (UI) and `/api/docs-json` (the document). */
export const setupOpenApi = (app: INestApplication): void => {
  const config = new DocumentBuilder()
    .setTitle('trial-ledger API')
    .setDescription(
      'Event-sourced, tamper-evident audit ledger for one clinical trial (21 CFR Part 11-style). ' +
        'Commands are task-based POSTs under /api/v1; every refusal is an RFC 9457 problem (application/problem+json) with a stable `code`. ' +
        'Send `If-Match: "<version>"` to pin the stream version you saw (mismatch → 412) and `Idempotency-Key` to make a retry safe ' +
        '(a repeat answers the first outcome with `Idempotent-Replayed: true`; the same key with another body → 422; keys are per user). ' +
        'User management takes it too; /api/v1/auth/* does not (400 REQUEST.IDEMPOTENCY_KEY_NOT_ACCEPTED). ' +
        `Once the server has found damage in its ledger, every answer (reads, refusals, viewer pages) carries ${INTEGRITY_HEADER_DESCRIPTION}`,
    )
    .setVersion('1')
    // Session tokens are opaque random strings looked up server-side (revocable at once), not JWTs.
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque', description: 'Opaque session token from POST /api/v1/auth/login (not a JWT: it carries no claims and is checked server-side).' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // A header on every response, not one route's: a reusable header object, named in the description above.
  document.components = { ...document.components, headers: { ...document.components?.headers, [INTEGRITY_HEADER]: INTEGRITY_HEADER_OPENAPI } };
  SwaggerModule.setup(OPENAPI_PATH, app, document, { jsonDocumentUrl: `${OPENAPI_PATH}-json` });
};
