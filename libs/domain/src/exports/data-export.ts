import { QUERY_ROLES } from '../commands/command.types';
import { roleRefusalInWords } from '../commands/refusal-words';
import type { Actor, Role } from '../shared/actor';
import type { DomainEvent } from '../shared/decider';
import { forbidden, invalid } from '../shared/domain-error';
import { firstUnprintable } from '../shared/free-text';

/**
 * Data leaving the ledger is itself a fact of the record (Part 11 §11.10(e), ICH E6(R3) 4.2.1: who
 * exported what, when). Each export — from the viewer, the API or the CLI — appends one
 * `DataExported` to the stream `exports-{studyId}` (or `exports` for an export of the whole ledger)
 * before the first byte is served: an export whose recording fails is not served.
 */
export type ExportKind = 'audit-trail' | 'odm' | 'adtte' | 'report';
export type ExportFormat = 'csv' | 'json' | 'xml' | 'html';
/** Where the export was asked for. */
export type ExportChannel = 'viewer' | 'api' | 'cli';

export const EXPORT_KINDS: readonly ExportKind[] = ['audit-trail', 'odm', 'adtte', 'report'];
export const EXPORT_FORMATS: Readonly<Record<ExportKind, readonly ExportFormat[]>> = {
  'audit-trail': ['csv', 'json'],
  odm: ['xml'],
  adtte: ['csv', 'json'],
  report: ['html'],
};

/** Who may export what: the roles of the reads each export is made of. */
export const EXPORT_ROLES: Readonly<Record<ExportKind, readonly Role[]>> = {
  'audit-trail': QUERY_ROLES.ExportAuditTrail,
  odm: QUERY_ROLES.ExportOdm,
  adtte: QUERY_ROLES.GetPfs,
  report: QUERY_ROLES.ExportOdm,
};

/** Bounds of the recorded filter: a few named conditions, each short printable text. */
export const EXPORT_FILTER_MAX_KEYS = 12;
export const EXPORT_FILTER_MAX_VALUE = 200;
const FILTER_KEY = /^[a-z][A-Za-z]{0,39}$/;

export type DataExported = DomainEvent<'DataExported', {
  kind: ExportKind;
  format: ExportFormat;
  channel: ExportChannel;
  /** The study exported; null for the whole ledger. */
  studyId: string | null;
  /** The conditions as given (user, role, subject, type, from, to, changesOnly, asKnownAt, cutoff…), by name. */
  filter: Record<string, string>;
  /** The head of the log the export is bound to: what it shows was recorded at or before this position. */
  throughPosition: number;
  /**
   * SHA-256 of the canonical JSON (RFC 8785) of `{kind, format, studyId, filter, throughPosition}`: the
   * export is recorded before it is streamed, so the digest names the request, which replays to the
   * same rows, rather than bytes not yet written.
   */
  requestDigest: string;
  userId: string;
  username: string;
  role: Role;
  at: string;
}>;

export interface RecordDataExport {
  readonly type: 'RecordDataExport';
  readonly data: Omit<DataExported['data'], 'userId' | 'username' | 'role' | 'at'>;
}

export const EXPORTS_STREAM_ID = 'exports';
export const exportsStreamId = (studyId: string | null): string => (studyId === null ? EXPORTS_STREAM_ID : `exports-${studyId}`);

/** The role check of an export: before anything is read or recorded (a refusal is recorded by the caller). */
export const requireExportRole = (kind: ExportKind, actor: Actor): void => {
  const allowed = EXPORT_ROLES[kind];
  if (!allowed.includes(actor.role)) {
    forbidden('AUTH.ROLE_NOT_ALLOWED', roleRefusalInWords(actor.role, `export the ${kind}`, allowed), { command: `Export ${kind}`, role: actor.role, allowed: [...allowed] });
  }
};

const checkText = (field: string, value: unknown, max: number): string => {
  if (typeof value !== 'string' || value.length > max) return invalid('EXPORT.INVALID_RECORD', `${field} must be text of at most ${max} characters`, { field });
  const bad = firstUnprintable(value) ?? (/[\p{Cc}\p{Cf}]/u.test(value) ? 'a format character' : null);
  if (bad !== null) invalid('EXPORT.INVALID_RECORD', `${field} holds ${bad}: only printable text is recorded`, { field, character: bad });
  return value;
};

/** Decides the one event of an export, after the role check; refuses what the record must not hold. */
export const decideDataExport = (command: RecordDataExport, context: { readonly actor: Actor; readonly now: string }): DataExported[] => {
  const d = command.data;
  requireExportRole(d.kind, context.actor);
  if (!EXPORT_FORMATS[d.kind].includes(d.format)) invalid('EXPORT.INVALID_RECORD', `A ${d.kind} export is ${EXPORT_FORMATS[d.kind].join(' or ')}, not ${String(d.format)}`, { format: d.format });
  if (!(['viewer', 'api', 'cli'] as const).includes(d.channel)) invalid('EXPORT.INVALID_RECORD', 'channel must be viewer, api or cli', { channel: d.channel });
  if (d.studyId !== null) checkText('studyId', d.studyId, 100);
  const entries = Object.entries(d.filter);
  if (entries.length > EXPORT_FILTER_MAX_KEYS) invalid('EXPORT.INVALID_RECORD', `At most ${EXPORT_FILTER_MAX_KEYS} filter conditions are recorded`, { count: entries.length });
  for (const [key, value] of entries) {
    if (!FILTER_KEY.test(key)) invalid('EXPORT.INVALID_RECORD', 'A filter condition is named by letters only', { key: key.slice(0, 40) });
    checkText(`filter.${key}`, value, EXPORT_FILTER_MAX_VALUE);
  }
  if (!Number.isSafeInteger(d.throughPosition) || d.throughPosition < 0) invalid('EXPORT.INVALID_RECORD', 'throughPosition must be a log position', {});
  if (!/^[0-9a-f]{64}$/.test(d.requestDigest)) invalid('EXPORT.INVALID_RECORD', 'requestDigest must be a SHA-256 in hex', {});
  const a = context.actor;
  // In a fixed key order, so the same filter reads the same in every record.
  const filter = Object.fromEntries(entries.sort(([x], [y]) => (x < y ? -1 : 1)));
  return [{ type: 'DataExported', data: { ...d, filter, userId: a.userId, username: a.username, role: a.role, at: context.now } }];
};
