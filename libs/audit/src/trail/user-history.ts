import { normaliseUsername, personInWords, readsClinicalData, type Actor, type Role } from '@trial-ledger/domain';
import type { EventSource, StoredEvent } from '@trial-ledger/event-store';
import { redactedData } from './redaction';

/** One user-management event as the history shows it: who, when, what, why; secrets redacted. */
export interface UserHistoryEntry {
  /** `identity`, or `account-policy` for an `AccountPolicyChanged`. */
  readonly streamId: string;
  /** The event's version in its own stream. */
  readonly streamVersion: number;
  /** The event's position in the log: the order of the history and its page cursor. */
  readonly globalPosition: number;
  readonly eventId: string;
  readonly type: string;
  readonly recordedAt: string;
  /** The person who did it, as every human-readable view names them: `Ada Admin (ada, admin)`. */
  readonly recordedBy: string;
  readonly actor: { readonly userId: string; readonly username: string; readonly role: Role };
  readonly source: EventSource;
  readonly reason: string | null;
  /** The event's data with password hashes (and any field named as a secret) redacted. */
  readonly data: Record<string, unknown>;
  readonly hash: string;
}

export interface UserHistoryPage {
  /** The streams merged in log order: the identity stream and the account policy's. */
  readonly streamIds: readonly string[];
  /** The log position of the last user-management event when the page was read (0: none yet). */
  readonly position: number;
  readonly username: string | null;
  readonly events: UserHistoryEntry[];
  /** Pass as afterPosition for the next page; null on the last page. */
  readonly nextAfterPosition: number | null;
}

export interface UserHistoryQuery {
  /** Only events after this log position. */
  readonly afterPosition?: number;
  readonly limit?: number;
  /** Only the events about this user (added, re-roled, logins…) or recorded by them. */
  readonly username?: string;
}

export const USER_HISTORY_DEFAULT_LIMIT = 100;

const decodedSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/**
 * A refused request's `METHOD /path` with the segment after `subjects` replaced by `:subjectId`. The
 * segments are compared as the router reads them (percent-decoded), so `%73ubjects/S001` is caught too.
 */
const withoutSubjectSegment = (action: string): string => {
  const segments = action.split('/');
  return segments.map((segment, i) => (i > 0 && segment !== '' && decodedSegment(segments[i - 1]) === 'subjects' ? ':subjectId' : segment)).join('/');
};

/**
 * What a reader who never sees clinical data (the administrator) may see of an identity event: a
 * refused signature names the subject it was meant for, and a refused request's path may hold it.
 */
const withoutClinicalData = (type: string, data: Record<string, unknown>): Record<string, unknown> => {
  if (type === 'SignatureFailed') {
    const { subjectId: _subject, ...rest } = data;
    return rest;
  }
  if (type === 'AuthorizationRefused' && typeof data.action === 'string') return { ...data, action: withoutSubjectSegment(data.action) };
  return data;
};

/** Whether a user-management event concerns `username` (its subject, or the name typed at a login or as a signer) or was recorded by them. */
const concerns = (event: StoredEvent, username: string): boolean =>
  event.metadata.actor.username === username ||
  event.data.username === username ||
  event.data.attemptedUsername === username ||
  event.data.attemptedSigner === username;

/**
 * A page of the history of user management (SPEC §5: user management is itself event-sourced and
 * audited): the events of `streamIds` (the identity stream and the account policy's), merged in log
 * order, secrets redacted as in the audit trail, each naming who did it. `role` is the reader's: the
 * administrator gets no subject ids.
 */
export const userHistoryPage = (streamIds: readonly string[], events: readonly StoredEvent[], query: UserHistoryQuery, role: Role): UserHistoryPage => {
  const after = query.afterPosition ?? 0;
  const limit = query.limit ?? USER_HISTORY_DEFAULT_LIMIT;
  const username = query.username === undefined ? null : normaliseUsername(query.username);
  const merged = events.filter((e) => streamIds.includes(e.streamId)).sort((a, b) => a.globalPosition - b.globalPosition);
  const shown = username === null ? merged : merged.filter((e) => concerns(e, username));
  const page = shown.filter((e) => e.globalPosition > after).slice(0, limit);
  const last = page.at(-1)?.globalPosition;
  const lastShown = shown.at(-1)?.globalPosition;
  const clinical = readsClinicalData(role);
  return {
    streamIds,
    position: merged.at(-1)?.globalPosition ?? 0,
    username,
    events: page.map((e) => {
      const data = redactedData(e);
      const actor: Actor = e.metadata.actor;
      return {
        streamId: e.streamId,
        streamVersion: e.streamVersion,
        globalPosition: e.globalPosition,
        eventId: e.eventId,
        type: e.type,
        recordedAt: e.metadata.recordedAt,
        recordedBy: personInWords(actor),
        actor: { userId: actor.userId, username: actor.username, role: actor.role },
        source: e.metadata.source,
        reason: e.metadata.reason,
        data: clinical ? data : withoutClinicalData(e.type, data),
        hash: e.hash,
      };
    }),
    nextAfterPosition: last !== undefined && lastShown !== undefined && last < lastShown ? last : null,
  };
};
