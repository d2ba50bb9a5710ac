import type { Actor, Role } from '@trial-ledger/domain';
import type { EventSource } from '@trial-ledger/event-store';
import type { IdentityLedger } from './identity-ledger';
import { requireRole } from './require-role';

/**
 * How many role refusals of one account are recorded in a minute. A session token costs nothing to
 * use again and token-authenticated routes are not rate-limited, so without a bound one account could
 * grow the append-only ledger by an event per request for as long as it liked. Past the bound a
 * refusal is still refused (403) and written to the security log, but not to the ledger — as an
 * attempt over the password routes' limits is only counted. Per process, like those counts.
 */
export const RECORDED_REFUSALS_PER_MINUTE = 60;
const WINDOW_MS = 60_000;

/**
 * Role checks whose refusals are recorded (SPEC §5: every refusal is logged): an
 * `AuthorizationRefused` event in the identity stream (up to `RECORDED_REFUSALS_PER_MINUTE` per
 * account), and a line in the security log.
 */
export class AuthorizationLog {
  /** Per user id: when the current one-minute window began and how many refusals it has seen. */
  private readonly windows = new Map<string, { startMs: number; count: number }>();

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
    const recorded = this.withinBound(actor.userId);
    const note = recorded ? '' : ` (not recorded in the ledger: over ${RECORDED_REFUSALS_PER_MINUTE} refusals of this account in a minute)`;
    this.ledger.logger.warn(`authorization refused: ${actor.username} (${actor.role}) may not ${action}; allowed: ${allowedRoles.join(', ')}${note}`, 'AUTH.ROLE_NOT_ALLOWED');
    if (recorded) await this.ledger.execute({ type: 'RecordAuthorizationRefused', data: { action, allowedRoles } }, actor, source, null);
  }

  private withinBound(userId: string): boolean {
    const nowMs = Date.parse(this.ledger.clock.now());
    const window = this.windows.get(userId);
    if (!window || nowMs - window.startMs >= WINDOW_MS || nowMs < window.startMs) {
      this.windows.set(userId, { startMs: nowMs, count: 1 });
      return true;
    }
    window.count += 1;
    return window.count <= RECORDED_REFUSALS_PER_MINUTE;
  }
}
