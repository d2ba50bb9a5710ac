import { forbidden, roleRefusalInWords, type Actor, type Role } from '@trial-ledger/domain';

/**
 * SPEC §5: every endpoint and command checks the role. Throws `AUTH.ROLE_NOT_ALLOWED` (forbidden);
 * callers that can should record the refusal (`Identity.authorize` does both).
 */
export const requireRole = (actor: Actor, roles: readonly Role[], what: string): void => {
  if (!roles.includes(actor.role)) {
    forbidden('AUTH.ROLE_NOT_ALLOWED', roleRefusalInWords(actor.role, what, roles), { action: what, role: actor.role, allowedRoles: [...roles] });
  }
};
