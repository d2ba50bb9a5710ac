import { SYSTEM_ACTOR, type Actor } from '../shared/actor';
import { roleRefusalInWords } from '../commands/refusal-words';
import type { CommandMetadata } from '../shared/decider';
import { assertNever, forbidden, invalid, notFound, refuse } from '../shared/domain-error';
import type { RegisteredStudyState, StudyState } from '../study/study.state';
import { requirePayload, oneOf } from '../subject/payload.validate';
import { requireScreened } from '../subject/decisions/guards';
import type { SubjectState } from '../subject/subject.state';
import { SUBJECT_ID, SUBJECT_ID_RULE } from '../subject/subject.decider';
import {
  MONITORING_COMMAND_ROLES,
  QUERY_RESPONSE_CATEGORIES,
  SYSTEM_QUERY_COMMANDS,
  type MonitoringCommandType,
  type QueryCommand,
  type QueryEvent,
  type QueryOrigin,
  type QueryResponseCategory,
  type QueryTarget,
} from './monitoring.types';
import { optionalQueryText, queryIdOf, queryText } from './monitoring.validate';
import { parseFieldPath, targetEntryOf, valueAt, valueHash } from './target-entry';

/** What is known of a query once opened; the status says where it is in its life. */
interface OpenedQuery {
  readonly queryId: string;
  readonly studyId: string;
  readonly target: QueryTarget;
  readonly questionedValueHash: string;
  readonly origin: QueryOrigin;
  readonly lastResponse: { readonly text: string; readonly category: QueryResponseCategory } | null;
  /** The note of the monitor's last close, reopen or cancel: a repeat with the same note is a retry, with another a new request. */
  readonly lastTransitionText: string | null;
}

/**
 * A query's state, keyed by status (OpenClinica's New → Updated → Closed, with reopen and cancel):
 * `open` (waiting for the site), `answered` (the site responded; the monitor decides), `closed`,
 * `cancelled` (opened in error; final). "closed-modified" is not a state of the stream: it is derived
 * by the read model from a change to the target after the close.
 */
export type QueryState =
  | { readonly status: 'none' }
  | (OpenedQuery & { readonly status: 'open' | 'answered' | 'closed' | 'cancelled' });

export const initialQueryState = (): QueryState => ({ status: 'none' });

export const evolveQuery = (state: QueryState, event: QueryEvent): QueryState => {
  switch (event.type) {
    case 'QueryOpened': {
      const { queryId, studyId, target, questionedValueHash, origin } = event.data;
      return { status: 'open', queryId, studyId, target, questionedValueHash, origin, lastResponse: null, lastTransitionText: null };
    }
    case 'QueryResponded':
      if (state.status === 'none') return state;
      return { ...state, status: 'answered', lastResponse: { text: event.data.text, category: event.data.category } };
    case 'QueryClosed':
      return state.status === 'none' ? state : { ...state, status: 'closed', lastTransitionText: event.data.text ?? null };
    case 'QueryReopened':
      return state.status === 'none' ? state : { ...state, status: 'open', questionedValueHash: event.data.questionedValueHash, lastResponse: null, lastTransitionText: event.data.text ?? null };
    case 'QueryCancelled':
      return state.status === 'none' ? state : { ...state, status: 'cancelled', lastTransitionText: event.data.text ?? null };
    default:
      return assertNever(event, 'query event');
  }
};

export const foldQuery = (events: readonly QueryEvent[]): QueryState => events.reduce(evolveQuery, initialQueryState());

/** What a query command reads: the query's stream, the target subject's stream, the study's. */
export interface QueryDecisionInput {
  readonly query: QueryState;
  readonly subject: SubjectState;
  readonly study: StudyState;
}

export const isSystemActor = (actor: Actor): boolean => actor.userId === SYSTEM_ACTOR.userId;

/** Part 11 §11.10(g) for monitoring commands; the system actor may run the edit-check transitions. */
export const requireMonitoringRole = (type: MonitoringCommandType, actor: Actor): void => {
  if (isSystemActor(actor) && SYSTEM_QUERY_COMMANDS.has(type)) return;
  const allowed = MONITORING_COMMAND_ROLES[type];
  if (!allowed.includes(actor.role)) {
    forbidden('AUTH.ROLE_NOT_ALLOWED', roleRefusalInWords(actor.role, type, allowed), { command: type, role: actor.role, allowed: [...allowed] });
  }
};

/** Queries follow the data: none is opened, answered or closed in a study that is not registered or is locked. */
/** The subject a query is opened on or an entry verified for: a well-formed subject id (it names a stream). */
export const requireSubjectId = (subjectId: unknown): void => {
  if (typeof subjectId !== 'string' || !SUBJECT_ID.test(subjectId)) {
    invalid('VALIDATION.INVALID_SUBJECT_ID', SUBJECT_ID_RULE, { subjectId });
  }
};

export const requireOpenStudy = (study: StudyState, studyId: string): RegisteredStudyState => {
  if (study.status === 'unregistered') return notFound('STUDY.NOT_REGISTERED', `Study ${studyId} is not registered`, { studyId });
  if (study.status === 'locked') return refuse('STUDY.LOCKED', `Study ${studyId} is locked: queries cannot be raised or changed`, { studyId, lockReason: study.lockReason });
  return study;
};

const requireQuery = (query: QueryState, command: QueryCommand, queryId: string): Exclude<QueryState, { status: 'none' }> => {
  if (query.status === 'none') return notFound('QUERY.NOT_FOUND', `No query ${queryId} in study ${command.studyId}`, { queryId });
  if (query.target.subjectId !== command.subjectId) {
    return notFound('QUERY.NOT_FOUND', `Query ${queryId} does not concern subject ${command.subjectId}`, { queryId, subjectId: command.subjectId });
  }
  return query;
};

const refuseCancelled = (queryId: string): never => refuse('QUERY.CANCELLED', `Query ${queryId} was cancelled: it cannot change any more`, { queryId });

/**
 * A query is settled (closed, cancelled) by someone other than whoever recorded or corrected the entry it
 * questions: a coordinator or investigator whose role became monitor does not close the site's questions
 * about their own entries (ICH E6 monitoring is independent of data entry; SDV refuses the same).
 */
const requireNotOwnEntry = (subject: SubjectState, eventId: string, actor: Actor, queryId: string): void => {
  const entry = subject.entries.find((e) => e.eventId === eventId);
  if (!entry || isSystemActor(actor)) return;
  if (entry.actor.userId === actor.userId || entry.corrections.some((c) => c.actor.userId === actor.userId)) {
    refuse('QUERY.OWN_ENTRY', `Query ${queryId} questions entry ${eventId}, recorded or corrected by ${actor.username}: another monitor settles it`, { queryId, targetEventId: eventId });
  }
};

/**
 * A transition to where the query already is decides nothing when it is a retry: no note, or the note of
 * the transition that put it there. With another note it is a new request that cannot happen, refused
 * rather than answered "nothing to record" with the note dropped unseen.
 */
const isRetry = (current: { readonly lastTransitionText: string | null }, text: string | null): boolean => text === null || text === current.lastTransitionText;

/**
 * Decides a query command. The checks run in the order role (403), study (registered, not locked),
 * payload, then the query's own life: a transition that is already where it would lead decides
 * nothing when it repeats the last one (closing a closed query, reopening an open one, with no note or
 * the same note), one that cannot happen is refused. The monitor reopens a closed query, or an answered
 * one whose answer does not settle it (back to the site).
 */
export const decideQuery = (command: QueryCommand, { query, subject, study }: QueryDecisionInput, metadata: CommandMetadata): QueryEvent[] => {
  requireMonitoringRole(command.type, metadata.actor);
  requireOpenStudy(study, command.studyId);
  switch (command.type) {
    case 'OpenQuery': {
      const p = requirePayload(command.payload, ['queryId', 'targetEventId', 'fieldPath', 'text', 'deviationEventId']);
      requireSubjectId(command.subjectId);
      const queryId = queryIdOf(p);
      const fieldPath = parseFieldPath(p.fieldPath);
      const text = queryText(p, 'text');
      requireScreened(subject.facts, command.subjectId);
      const entry = targetEntryOf(subject, command.subjectId, p.targetEventId);
      const questionedValueHash = valueHash(valueAt(entry, fieldPath));
      const system = isSystemActor(metadata.actor);
      const deviationEventId = system && typeof p.deviationEventId === 'string' ? p.deviationEventId : null;
      const target: QueryTarget = { subjectId: command.subjectId, eventId: entry.eventId, eventType: entry.recorded.type, fieldPath };
      if (query.status !== 'none') {
        const same = query.target.eventId === target.eventId && query.target.fieldPath === target.fieldPath;
        if (same) return [];
        return refuse('QUERY.ALREADY_EXISTS', `Query ${queryId} already exists with another target`, { queryId });
      }
      return [{ type: 'QueryOpened', data: { studyId: command.studyId, queryId, target, questionedValueHash, text, origin: system ? 'system' : 'monitor', deviationEventId } }];
    }
    case 'RespondToQuery': {
      const p = requirePayload(command.payload, ['queryId', 'text', 'category']);
      const queryId = queryIdOf(p);
      const text = queryText(p, 'text');
      const category = oneOf(p, 'category', QUERY_RESPONSE_CATEGORIES);
      const current = requireQuery(query, command, queryId);
      if (current.status === 'cancelled') return refuseCancelled(queryId);
      if (current.status === 'closed') return refuse('QUERY.CLOSED', `Query ${queryId} is closed: it must be reopened before it can be answered`, { queryId });
      if (current.lastResponse && current.lastResponse.text === text && current.lastResponse.category === category) return [];
      return [{ type: 'QueryResponded', data: { queryId, text, category } }];
    }
    case 'CloseQuery': {
      const p = requirePayload(command.payload, ['queryId', 'text']);
      const queryId = queryIdOf(p);
      const text = optionalQueryText(p, 'text');
      const current = requireQuery(query, command, queryId);
      if (current.status === 'cancelled') return refuseCancelled(queryId);
      if (current.status === 'closed') {
        if (isRetry(current, text)) return [];
        return refuse('QUERY.CLOSED', `Query ${queryId} is already closed: reopen it to add to its thread`, { queryId });
      }
      requireNotOwnEntry(subject, current.target.eventId, metadata.actor, queryId);
      return [{ type: 'QueryClosed', data: { queryId, text } }];
    }
    case 'ReopenQuery': {
      const p = requirePayload(command.payload, ['queryId', 'text']);
      const queryId = queryIdOf(p);
      const text = optionalQueryText(p, 'text');
      const current = requireQuery(query, command, queryId);
      if (current.status === 'cancelled') return refuseCancelled(queryId);
      if (current.status === 'open') {
        if (isRetry(current, text)) return [];
        return refuse('QUERY.NOT_CLOSED', `Query ${queryId} is open: it waits for the site's answer, there is nothing to reopen`, { queryId });
      }
      // A closed query, or an answered one the monitor sends back to the site. The value questioned now: the entry may have been corrected since; a voided one cannot be reopened on.
      const entry = targetEntryOf(subject, command.subjectId, current.target.eventId);
      return [{ type: 'QueryReopened', data: { queryId, text, questionedValueHash: valueHash(valueAt(entry, current.target.fieldPath)) } }];
    }
    case 'CancelQuery': {
      const p = requirePayload(command.payload, ['queryId', 'text']);
      const queryId = queryIdOf(p);
      const text = optionalQueryText(p, 'text');
      const current = requireQuery(query, command, queryId);
      if (current.status === 'cancelled') {
        if (isRetry(current, text)) return [];
        return refuseCancelled(queryId);
      }
      if (current.status === 'closed') return refuse('QUERY.CLOSED', `Query ${queryId} is closed: a closed query is reopened, not cancelled`, { queryId });
      requireNotOwnEntry(subject, current.target.eventId, metadata.actor, queryId);
      return [{ type: 'QueryCancelled', data: { queryId, text } }];
    }
    default:
      return assertNever(command, 'query command');
  }
};
