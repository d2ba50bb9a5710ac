import { distance } from 'fastest-levenshtein';
import type { DataExported } from '../exports/data-export';
import type { AccountPolicyEvent } from '../identity/account-policy';
import type { IdentityEvent } from '../identity/identity.events';
import type { QueryEvent, SourceVerificationEvent } from '../monitoring/monitoring.types';
import type { StudyEvent, SubjectEvent } from './event.types';

/** Every event type the ledger writes, by the union that defines it. */
export type LedgerEventType =
  | StudyEvent['type']
  | SubjectEvent['type']
  | IdentityEvent['type']
  | AccountPolicyEvent['type']
  | QueryEvent['type']
  | SourceVerificationEvent['type']
  | DataExported['type'];

/**
 * The catalogue of event types (the permanent storage contract), in the order of the streams they
 * belong to. A filter by event type is checked against it: a misspelt type (`EntryCorected`) matches
 * nothing, and an empty answer would read as "no corrections on record".
 */
export const EVENT_TYPE_CATALOGUE = [
  'StudyRegistered', 'ProtocolAmended', 'SubjectAddedToRoster', 'RosterEnrollmentDateCorrected', 'StudyLocked', 'StudyUnlocked',
  'SubjectScreened', 'EligibilityConfirmed', 'SubjectScreenFailed', 'SubjectEnrolled', 'DoseAdministered', 'DoseMissed',
  'ProtocolDeviationDetected', 'TumorAssessmentRecorded', 'ClinicalProgressionRecorded', 'NewAnticancerTherapyStarted',
  'AdverseEventReported', 'AdverseEventOutcomeRecorded', 'ProtocolDeviationRecorded', 'TreatmentDiscontinued', 'SubjectWithdrawn', 'SubjectDied',
  'EntryCorrected', 'EntryVoided', 'CasebookSigned', 'RecordSigned',
  'UserCreated', 'UserRoleChanged', 'UserDeactivated', 'UserReactivated', 'PasswordChanged',
  'LoginSucceeded', 'LoginFailed', 'AccountLockedOut', 'LoggedOut', 'AuthorizationRefused', 'SignatureFailed', 'AccountPolicyChanged',
  'QueryOpened', 'QueryResponded', 'QueryClosed', 'QueryReopened', 'QueryCancelled', 'RecordSourceVerified',
  'DataExported',
] as const satisfies readonly LedgerEventType[];

/** Compiles only while the catalogue names every type of the unions above. */
type MissingFromCatalogue = Exclude<LedgerEventType, (typeof EVENT_TYPE_CATALOGUE)[number]>;
const catalogueIsComplete: [MissingFromCatalogue] extends [never] ? true : MissingFromCatalogue = true;
void catalogueIsComplete;

const KNOWN: ReadonlySet<string> = new Set(EVENT_TYPE_CATALOGUE);

export const isLedgerEventType = (type: string): type is LedgerEventType => KNOWN.has(type);

/** The known event type a misspelt one most likely means (same letters in another case, or ≤ 2 edits), or null. */
export const closestLedgerEventType = (type: string): LedgerEventType | null => {
  const folded = type.toLowerCase();
  let best: { type: LedgerEventType; distance: number } | null = null;
  for (const known of EVENT_TYPE_CATALOGUE) {
    const d = distance(folded, known.toLowerCase());
    if (d <= 2 && (best === null || d < best.distance)) best = { type: known, distance: d };
  }
  return best?.type ?? null;
};
