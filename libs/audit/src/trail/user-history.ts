import { normaliseUsername, personInWords, readsClinicalData, type Actor, type Role } from '@trial-ledger/domain';
import type { EventSource, StoredEvent } from '@trial-ledger/event-store';
import { redactedData } from './redaction';

/** One identity event as the user-management history shows it: who, when, what, why; secrets redacted. */
export interface UserHistoryEntry {
  readonly streamVersion: number;
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
  readonly streamId: string;
  /** The identity stream's version when the page was read. */
  readonly streamVersion: number;
  readonly username: string | null;
  readonly events: UserHistoryEntry[];
  /** Pass as afterVersion for the next page; null on the last page. */
  readonly nextAfterVersion: number | null;
}

export interface UserHistoryQuery {
  readonly afterVersion?: number;
  readonly limit?: number;
  /** Only the events about this user (added, re-roled, logins…) or recorded by them. */
  readonly username?: string;
}

export const USER_HISTORY_DEFAULT_LIMIT = 100;

const SUBJECT_SEGMENT = /\/subjects\/[^/?]+/g;

/**
 * What a reader who never sees clinical data (the administrator) may see of an identity event: a
 * refused signature names the subject it was meant for, and a refused request's path may hold it.
 */
const withoutClinicalData = (type: string, data: Record<string, unknown>): Record<string, unknown> => {
  if (type === 'SignatureFailed') {
    const { subjectId: _subject, ...rest } = data;
    return rest;
  }
  if (type === 'AuthorizationRefused' && typeof data.action === 'string') return { ...data, action: data.action.replace(SUBJECT_SEGMENT, '/subjects/:subjectId') };
  return data;
};

/** Whether an identity event concerns `username` (its subject, or the name typed at a login) or was recorded by them. */
const concerns = (event: StoredEvent, username: string): boolean =>
  event.metadata.actor.username === username ||
  event.data.username === username ||
  event.data.attemptedUsername === username;

/**
 * A page of the identity stream as the history of user management (SPEC §5: user management is
 * itself event-sourced and audited): every event in order, secrets redacted as in the audit trail,
 * each naming who did it. `role` is the reader's: the administrator gets no subject ids.
 */
export const userHistoryPage = (streamId: string, events: readonly StoredEvent[], query: UserHistoryQuery, role: Role): UserHistoryPage => {
  const after = query.afterVersion ?? 0;
  const limit = query.limit ?? USER_HISTORY_DEFAULT_LIMIT;
  const username = query.username === undefined ? null : normaliseUsername(query.username);
  const shown = username === null ? events : events.filter((e) => concerns(e, username));
  const page = shown.filter((e) => e.streamVersion > after).slice(0, limit);
  const last = page.at(-1)?.streamVersion;
  const lastShown = shown.at(-1)?.streamVersion;
  const clinical = readsClinicalData(role);
  return {
    streamId,
    streamVersion: events.at(-1)?.streamVersion ?? 0,
    username,
    events: page.map((e) => {
      const data = redactedData(e);
      const actor: Actor = e.metadata.actor;
      return {
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
    nextAfterVersion: last !== undefined && lastShown !== undefined && last < lastShown ? last : null,
  };
};
