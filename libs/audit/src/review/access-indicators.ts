import { personNameKey } from '@trial-ledger/domain';
import type { StoredEvent } from '@trial-ledger/event-store';
import type { LedgerVerification } from '../verification/ledger.verifier';
import { finding, inWindow, isClinicalWrite, type ReviewLedger } from './review-ledger';
import type { ReviewFinding } from './review.types';

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const ms = (e: StoredEvent): number => Date.parse(e.metadata.recordedAt);
const SIGNATURES: ReadonlySet<string> = new Set(['CasebookSigned', 'RecordSigned']);

export const groupBy = (events: readonly StoredEvent[], key: (e: StoredEvent) => string | null): Map<string, StoredEvent[]> => {
  const map = new Map<string, StoredEvent[]>();
  for (const e of events) {
    const k = key(e);
    if (k === null) continue;
    const list = map.get(k);
    if (list) list.push(e);
    else map.set(k, [e]);
  }
  return map;
};

/**
 * Access signals (Part 11 §11.10(d), §11.300(d)): failed logins and signatures at or above the
 * threshold per account, lockouts, authorization refusals, a role change within the access window of
 * the user's clinical edits, an administrator's password reset followed within the window by the
 * user's own change and a signature, and any activity by an account after its deactivation.
 */
export const accessFindings = (ledger: ReviewLedger): ReviewFinding[] => {
  const t = ledger.thresholds;
  const windowMs = t.accessWindowMinutes * 60_000;
  const identity = ledger.events.filter((e) => e.streamId === 'identity');
  const inside = identity.filter((e) => inWindow(ledger, e));
  const found: ReviewFinding[] = [];

  const failures = inside.filter((e) => e.type === 'LoginFailed' || e.type === 'SignatureFailed');
  for (const [username, list] of groupBy(failures, (e) => str(e.data.attemptedUsername) ?? str(e.data.username))) {
    if (list.length >= t.failedLogins) found.push(finding('access', list, `${list.length} failed password entries for ${username} (threshold ${t.failedLogins})`, { username }));
  }
  for (const e of inside.filter((x) => x.type === 'AccountLockedOut')) {
    found.push(finding('access', [e], `account ${str(e.data.username)} locked out after ${String(e.data.consecutiveFailures)} failures`, { username: str(e.data.username) }));
  }
  for (const [username, list] of groupBy(inside.filter((e) => e.type === 'AuthorizationRefused'), (e) => str(e.data.username))) {
    const actions = [...new Set(list.map((e) => str(e.data.action)))].join(', ');
    found.push(finding('access', list, `${list.length} refused request(s) by ${username}: ${actions}`, { username }));
  }

  const clinical = ledger.events.filter((e) => isClinicalWrite(ledger, e));
  for (const change of inside.filter((e) => e.type === 'UserRoleChanged')) {
    const edits = clinical.filter((e) => e.metadata.actor.userId === change.data.userId && Math.abs(ms(e) - ms(change)) <= windowMs);
    if (edits.length > 0) {
      found.push(finding('access', [change, ...edits], `role of ${str(change.data.username)} changed ${String(change.data.from)} → ${String(change.data.to)} by ${change.metadata.actor.username} within ${t.accessWindowMinutes} minutes of ${edits.length} clinical write(s) of theirs`, { username: str(change.data.username) }));
    }
  }

  for (const reset of inside.filter((e) => e.type === 'PasswordChanged' && e.data.mustChange === true && e.metadata.actor.userId !== e.data.userId)) {
    const own = identity.find((e) => e.type === 'PasswordChanged' && e.data.userId === reset.data.userId && e.data.mustChange !== true && ms(e) >= ms(reset) && ms(e) - ms(reset) <= windowMs);
    const signature = own && ledger.events.find((e) => SIGNATURES.has(e.type) && e.data.signerUserId === reset.data.userId && ms(e) >= ms(own) && ms(e) - ms(own) <= windowMs);
    if (own && signature) {
      found.push(finding('access', [reset, own, signature], `${str(reset.data.username)}: password reset by ${reset.metadata.actor.username}, changed by the user and used to sign within ${t.accessWindowMinutes} minutes`, { username: str(reset.data.username) }));
    }
  }

  for (const deactivation of identity.filter((e) => e.type === 'UserDeactivated')) {
    const userId = deactivation.data.userId;
    const reactivation = identity.find((e) => e.type === 'UserReactivated' && e.data.userId === userId && e.globalPosition > deactivation.globalPosition);
    const activity = ledger.events.filter(
      (e) =>
        e.globalPosition > deactivation.globalPosition &&
        (reactivation === undefined || e.globalPosition < reactivation.globalPosition) &&
        inWindow(ledger, e) &&
        (e.metadata.actor.userId === userId || (e.type === 'LoginSucceeded' && e.data.userId === userId)),
    );
    if (activity.length > 0) {
      found.push(finding('access', [deactivation, ...activity], `${activity.length} event(s) by ${str(deactivation.data.username)} after the account was deactivated by ${deactivation.metadata.actor.username}`, { username: str(deactivation.data.username) }));
    }
  }
  found.push(...sharedNameFindings(identity, (e) => inWindow(ledger, e)));
  return found;
};

/**
 * An account created under the printed name of an account active at the time (case, spacing and compatibility
 * forms folded): refused unless the administrator gave a reason (`IDENTITY.FULL_NAME_IN_USE`), so each one left is
 * a stated exception to one person, one account (§11.100(a)) for the reviewer to confirm — two people, not one
 * person with two roles. Accounts created before the refusal existed are listed the same way, with no reason.
 */
const sharedNameFindings = (identity: readonly StoredEvent[], reviewed: (e: StoredEvent) => boolean): ReviewFinding[] => {
  const found: ReviewFinding[] = [];
  const active = new Map<string, StoredEvent>();
  for (const e of identity) {
    const userId = str(e.data.userId);
    if (userId === null) continue;
    if (e.type === 'UserDeactivated') active.delete(userId);
    else if (e.type === 'UserReactivated') {
      const created = identity.find((c) => c.type === 'UserCreated' && c.data.userId === userId);
      if (created) active.set(userId, created);
    } else if (e.type === 'UserCreated') {
      const key = personNameKey(str(e.data.fullName) ?? '');
      const holder = [...active.values()].find((c) => personNameKey(str(c.data.fullName) ?? '') === key);
      if (holder && reviewed(e)) {
        found.push(
          finding(
            'access',
            [holder, e],
            `account ${str(e.data.username)} (${str(e.data.role)}) created by ${e.metadata.actor.username} under the printed name of the active account ${str(holder.data.username)}, ${JSON.stringify(str(holder.data.fullName))}; reason: ${e.metadata.reason ?? 'none given'}`,
            { username: str(e.data.username) },
          ),
        );
      }
      active.set(userId, e);
    }
  }
  return found;
};

/**
 * Trail integrity: the chain verdict, whether signed checkpoints anchor the trail, and `recordedAt`
 * never decreasing along the log (the store guarantees it; a decrease means a row was edited).
 */
export const integrityFindings = (ledger: ReviewLedger, verification: LedgerVerification): ReviewFinding[] => {
  const found: ReviewFinding[] = [];
  const at = (position: number): StoredEvent[] => ledger.events.filter((e) => e.globalPosition === position);
  for (const fault of verification.faults) {
    found.push(finding('trail-integrity', at(fault.position), `chain ${fault.damage} at position ${fault.position}: ${fault.message}`));
  }
  const cp = verification.checkpoints;
  if (cp === null || cp.matched === 0) {
    found.push(finding('trail-integrity', [], cp === null ? 'no signed checkpoint given: a truncated or wholly recomputed log would not be detected' : 'no signed checkpoint matched the log'));
  }
  for (let i = 1; i < ledger.events.length; i += 1) {
    const [prev, e] = [ledger.events[i - 1], ledger.events[i]];
    if (e.metadata.recordedAt < prev.metadata.recordedAt) {
      found.push(finding('trail-integrity', [prev, e], `recordedAt decreases at position ${e.globalPosition}: ${prev.metadata.recordedAt} → ${e.metadata.recordedAt}`));
    }
  }
  return found;
};
