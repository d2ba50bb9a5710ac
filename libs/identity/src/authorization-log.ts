import type { Actor, Role } from '@trial-ledger/domain';
import type { EventSource } from '@trial-ledger/event-store';
import type { IdentityLedger } from './identity-ledger';
import { requireRole } from './require-role';

/**
 * Role checks whose refusals are recorded (SPEC §5: every refusal is logged): an
 * `AuthorizationRefused` event in the identity stream, and a line in the security log.
 */
export class AuthorizationLog {
  constructor(private readonly ledger: IdentityLedger) {}

  /** `requireRole`, with the refusal recorded before it is thrown. */
  async authorize(actor: Actor, roles: readonly Role[], action: string, source: EventSource = 'api'): Promise<void> {
    try {
      requireRole(actor, roles, action);
    } catch (refusal) {
      await this.recordRefusal(actor, action, roles, source);
      throw refusal;
    }
  }

  async recordRefusal(actor: Actor, action: string, allowedRoles: readonly Role[], source: EventSource = 'api'): Promise<void> {
    this.ledger.logger.warn(`authorization refused: ${actor.username} (${actor.role}) may not ${action}; allowed: ${allowedRoles.join(', ')}`);
    await this.ledger.execute({ type: 'RecordAuthorizationRefused', data: { action, allowedRoles } }, actor, source, null);
  }
}
