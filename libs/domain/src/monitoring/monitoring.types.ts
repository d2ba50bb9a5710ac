import type { Role } from '../shared/actor';
import { QUERY_ROLES } from '../commands/command.types';
import type { DomainEvent } from '../shared/decider';

/**
 * Monitor queries (discrepancy notes) and source data verification (ICH E6(R3) 5.18 monitoring): both
 * are facts about one recorded entry of a subject's casebook, kept in their own streams so that a
 * query never changes the subject's stream version (the `ETag` the site works against):
 * `query-{studyId}-{queryId}` per query and `sdv-{studyId}-{subjectId}` per subject.
 */

/** How the site answers a query (after the EDC resolution categories of OpenClinica and REDCap). */
export const QUERY_RESPONSE_CATEGORIES = ['data-corrected', 'confirmed-correct', 'data-missing', 'wrong-source', 'other'] as const;
export type QueryResponseCategory = (typeof QUERY_RESPONSE_CATEGORIES)[number];

/**
 * Query ids are assigned by the server: 32 lower-case hex digits (a UUID v7 without its dashes), so
 * that `query-{studyId}-{queryId}` splits one way only, at its last dash.
 */
export const QUERY_ID = /^[0-9a-f]{32}$/;

/** What a query points at: the exact entry and, optionally, one field of its payload. */
export interface QueryTarget {
  readonly subjectId: string;
  /** The entry's event id (the original event, also after corrections). */
  readonly eventId: string;
  readonly eventType: string;
  /** Dotted path into the entry's data (`administeredOn`, `targetLesions.0.diameterMm`); null = the whole entry. */
  readonly fieldPath: string | null;
}

/** Who opened a query: a monitor by hand, or the system from a detected protocol deviation (an edit check). */
export type QueryOrigin = 'monitor' | 'system';

export type QueryOpened = DomainEvent<'QueryOpened', {
  studyId: string; queryId: string; target: QueryTarget;
  /** SHA-256 of the RFC 8785 JSON of the questioned value at opening: binds the query to what it questioned. */
  questionedValueHash: string;
  text: string; origin: QueryOrigin;
  /** For a system query: the `ProtocolDeviationDetected` event that raised it. */
  deviationEventId: string | null;
}>;
export type QueryResponded = DomainEvent<'QueryResponded', { queryId: string; text: string; category: QueryResponseCategory }>;
export type QueryClosed = DomainEvent<'QueryClosed', { queryId: string; text: string | null }>;
/** Re-binds the query to the value as it stands at reopening (it may have been corrected meanwhile). */
export type QueryReopened = DomainEvent<'QueryReopened', { queryId: string; text: string | null; questionedValueHash: string }>;
/** Opened in error: nobody deletes a query, a cancelled one stays on record. */
export type QueryCancelled = DomainEvent<'QueryCancelled', { queryId: string; text: string | null }>;
export type QueryEvent = QueryOpened | QueryResponded | QueryClosed | QueryReopened | QueryCancelled;
export type QueryEventType = QueryEvent['type'];

/** Source data verification of one entry by a monitor, bound to the value verified. */
export type RecordSourceVerified = DomainEvent<'RecordSourceVerified', {
  studyId: string; subjectId: string; targetEventId: string; targetType: string; verifiedValueHash: string;
}>;
export type SourceVerificationEvent = RecordSourceVerified;

export const MONITORING_EVENT_TYPES: readonly string[] = ['QueryOpened', 'QueryResponded', 'QueryClosed', 'QueryReopened', 'QueryCancelled', 'RecordSourceVerified'];

export interface OpenQueryPayload { queryId: string; targetEventId: string; fieldPath?: string | null; text: string; deviationEventId?: string | null }
export interface RespondToQueryPayload { queryId: string; text: string; category: QueryResponseCategory }
export interface QueryTransitionPayload { queryId: string; text?: string | null }
export interface VerifySourcePayload { targetEventId: string }

export interface MonitoringPayloads {
  OpenQuery: OpenQueryPayload;
  RespondToQuery: RespondToQueryPayload;
  CloseQuery: QueryTransitionPayload;
  ReopenQuery: QueryTransitionPayload;
  CancelQuery: QueryTransitionPayload;
  VerifySource: VerifySourcePayload;
}
export type MonitoringCommandType = keyof MonitoringPayloads;
export type QueryCommandType = Exclude<MonitoringCommandType, 'VerifySource'>;

/** A monitoring command: addressed to one subject of a study (the query's target, or the entry verified). */
export type MonitoringCommand = {
  [K in MonitoringCommandType]: { readonly type: K; readonly studyId: string; readonly subjectId: string; readonly payload: MonitoringPayloads[K] };
}[MonitoringCommandType];
export type QueryCommand = Extract<MonitoringCommand, { type: QueryCommandType }>;

export const MONITORING_COMMAND_TYPES: readonly MonitoringCommandType[] = ['OpenQuery', 'RespondToQuery', 'CloseQuery', 'ReopenQuery', 'CancelQuery', 'VerifySource'];
export const isMonitoringCommand = (command: { readonly type: string }): command is MonitoringCommand =>
  (MONITORING_COMMAND_TYPES as readonly string[]).includes(command.type);

/**
 * Who may do what with queries and SDV: monitors (and the system, for edit checks) open, close, reopen
 * and cancel; coordinators and investigators answer; only monitors verify source data. Regulators
 * read; nobody deletes.
 */
export const MONITORING_COMMAND_ROLES: { readonly [K in MonitoringCommandType]: readonly Role[] } = {
  OpenQuery: ['monitor'],
  RespondToQuery: ['coordinator', 'investigator'],
  CloseQuery: ['monitor'],
  ReopenQuery: ['monitor'],
  CancelQuery: ['monitor'],
  VerifySource: ['monitor'],
};

/** Commands the system actor issues itself (automatic queries from detected deviations). */
export const SYSTEM_QUERY_COMMANDS: ReadonlySet<MonitoringCommandType> = new Set(['OpenQuery', 'CloseQuery', 'ReopenQuery', 'CancelQuery']);

/** Who reads queries and SDV state: everyone on the clinical side and the regulator, not the admin. */
export const MONITORING_READ_ROLES: readonly Role[] = QUERY_ROLES.ListQueries;

export const queryStreamId = (studyId: string, queryId: string): string => `query-${studyId}-${queryId}`;
export const sourceVerificationStreamId = (studyId: string, subjectId: string): string => `sdv-${studyId}-${subjectId}`;
