import { createHash } from 'node:crypto';
import { canonicalize } from 'json-canonicalize';
import { invalid, notFound, refuse } from '../shared/domain-error';
import type { SubjectEntry, SubjectState } from '../subject/subject.state';

/**
 * A field path names one value inside an entry's data: property names and list indexes joined by dots
 * (`targetLesions.0.diameterMm`). Only own properties are followed, so `__proto__`, `constructor` or
 * `toString` never resolve to anything but "no such field".
 */
const FIELD_PATH = /^[A-Za-z][A-Za-z0-9]{0,63}(\.([A-Za-z][A-Za-z0-9]{0,63}|\d{1,3})){0,7}$/;

/**
 * Entries the system derives rather than a person records (a deviation detected from a dose's date or
 * amount): there is no source document to verify them against, so they are outside SDV — verify the
 * entry they were derived from.
 */
export const SYSTEM_DERIVED_ENTRY_TYPES: ReadonlySet<string> = new Set(['ProtocolDeviationDetected']);

/** The entry a query or a verification points at: recorded for this subject and not voided. */
export const targetEntryOf = (subject: SubjectState, subjectId: string, eventId: unknown): SubjectEntry => {
  if (typeof eventId !== 'string' || eventId === '') return invalid('VALIDATION.FAILED', 'targetEventId is required', { field: 'targetEventId' });
  const entry = subject.entries.find((e) => e.eventId === eventId);
  if (!entry) return notFound('ENTRY.NOT_FOUND', `No entry ${eventId} in the casebook of subject ${subjectId}`, { targetEventId: eventId, subjectId });
  if (entry.voided) return refuse('ENTRY.VOIDED', `Entry ${eventId} was voided by ${entry.voided.eventId}: it is no longer part of the casebook`, { targetEventId: eventId, voidedBy: entry.voided.eventId });
  return entry;
};

export const parseFieldPath = (value: unknown): string | null => {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !FIELD_PATH.test(value)) {
    return invalid('QUERY.INVALID_FIELD_PATH', 'fieldPath is a dotted path of field names and list indexes, e.g. targetLesions.0.diameterMm', { field: 'fieldPath' });
  }
  return value;
};

/** The value at `path` in the entry's current (corrected) data; the whole data when no path is given. */
export const valueAt = (entry: SubjectEntry, path: string | null): unknown => {
  let value: unknown = entry.current.data;
  if (path === null) return value;
  for (const segment of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.prototype.hasOwnProperty.call(value, segment)) {
      return invalid('QUERY.FIELD_NOT_FOUND', `Entry ${entry.eventId} (${entry.current.type}) has no field ${path}`, { fieldPath: path, targetType: entry.current.type });
    }
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
};

/** SHA-256 over the RFC 8785 JSON of a value: what a query or a verification is bound to. */
export const valueHash = (value: unknown): string => createHash('sha256').update(canonicalize(value ?? null)).digest('hex');

/** The top-level data field a path lies in (corrections change top-level fields). */
export const topLevelField = (path: string | null): string | null => (path === null ? null : path.split('.')[0]);
