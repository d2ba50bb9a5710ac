import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FoundDamage, LedgerIntegrityWatch } from '@trial-ledger/audit';
import type { AuthenticatedRequest } from '../shared/routing/authenticated-request';
import { signedInOf } from '../viewer/viewer-access';

/** The response header that says the answer comes from a ledger the server found damaged. */
export const INTEGRITY_HEADER = 'Ledger-Integrity';

/**
 * `damaged; code="LEDGER.TAMPERED"; position=N` (an RFC 8941 item with parameters). The position goes to a
 * signed-in caller only, as `/health` names none: no position reaches an unauthenticated caller.
 */
export const ledgerIntegrityValue = (damage: FoundDamage, signedIn: boolean): string => `damaged; code="LEDGER.TAMPERED"${signedIn ? `; position=${damage.position}` : ''}`;

const isSignedIn = (request: FastifyRequest): boolean => (request as unknown as AuthenticatedRequest).actor !== undefined || signedInOf(request as never) !== null;

/**
 * Once the server has found damage in its ledger (the knowledge that turns `/health` red, `LedgerIntegrityWatch`),
 * every answer says so in its `Ledger-Integrity` header — the API's reads, the viewer's pages, refusals — for as
 * long as the server runs: an answer read from an edited store must not pass for one read from an intact ledger.
 */
export const registerLedgerDamageMarker = (fastify: FastifyInstance, watch: LedgerIntegrityWatch | undefined): void => {
  if (!watch) return;
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const damage = watch.damage;
    if (damage) void reply.header(INTEGRITY_HEADER, ledgerIntegrityValue(damage, isSignedIn(request)));
    done(null, payload);
  });
};
