import type { Role } from '../shared/actor';
import { roleRefusalInWords } from '../commands/refusal-words';
import type { CommandMetadata } from '../shared/decider';
import { forbidden, invalid, notFound, refuse } from '../shared/domain-error';
import type { Recorded } from '../shared/recorded';
import type { StudyState } from '../study/study.state';
import {
  SIGNATURE_MEANINGS,
  type CasebookSigned,
  type RecordSigned,
  type SignatureManifestation,
  type SignatureMeaning,
} from '../events/event.types';

/**
 * Electronic signatures on a subject's casebook (21 CFR Part 11 §11.50, §11.70, §11.200). The
 * identity half (password re-entered, signer = session user) is decided by `VerifySigner` on the
 * identity stream; this is the record half, decided over the subject stream.
 */

export type SignatureScope = 'casebook' | { readonly eventId: string };

/** Who may execute which signature. The casebook is signed by the investigator (SPEC §2). */
export const SIGNATURE_ROLES: { readonly SignCasebook: readonly Role[]; readonly SignRecord: readonly Role[] } = {
  SignCasebook: ['investigator'],
  // Monitors sign records they have reviewed (source data verification); admins and regulators never sign.
  SignRecord: ['coordinator', 'investigator', 'monitor'],
};

export const signatureCommandType = (scope: SignatureScope): 'SignCasebook' | 'SignRecord' => (scope === 'casebook' ? 'SignCasebook' : 'SignRecord');

/** Roles that sign only as reviewers: a monitor enters, approves and answers for no data (Part 11 §11.50: the meaning is what the signer attests). */
const REVIEW_ONLY_ROLES: readonly Role[] = ['monitor'];

/** Who may execute a signature of this scope with this meaning: every signer of the scope may review; only those who may also enter data sign otherwise. */
export const signatureRoles = (type: 'SignCasebook' | 'SignRecord', meaning: SignatureMeaning): readonly Role[] =>
  meaning === 'review' ? SIGNATURE_ROLES[type] : SIGNATURE_ROLES[type].filter((role) => !REVIEW_ONLY_ROLES.includes(role));

export interface SignCommand {
  readonly studyId: string;
  readonly subjectId: string;
  readonly meaning: SignatureMeaning;
  readonly scope: SignatureScope;
  readonly signer: { readonly userId: string; readonly username: string; readonly fullName: string };
  /** The subject stream version the signer saw and signs through; the store's chain hash of it. */
  readonly signedThroughVersion: number;
  readonly signedEventHash: string;
  /** `signedHashOf(...)`, computed by the application from the stored chain. */
  readonly signedHash: string;
}

const SIGNATURE_TYPES = new Set(['CasebookSigned', 'RecordSigned']);
/** Corrections and voids are signed through the record they change, not on their own. */
const NOT_SIGNABLE = new Set([...SIGNATURE_TYPES, 'EntryCorrected', 'EntryVoided']);

/**
 * What each meaning attests, in the words every human-readable view prints beside the signer's name and the
 * date-time (Part 11 §11.50(a)(3): the meaning, such as review, approval, responsibility or authorship).
 */
export const SIGNATURE_MEANING_WORDS: Readonly<Record<SignatureMeaning, string>> = {
  authorship: 'Authorship: I entered these data',
  review: 'Review: I have reviewed these data',
  approval: 'Approval: I approve these data as complete and accurate',
  responsibility: 'Responsibility: I take responsibility for these data',
};

export const signatureMeaningInWords = (meaning: string): string =>
  isSignatureMeaning(meaning) ? SIGNATURE_MEANING_WORDS[meaning] : meaning;

/**
 * What a signature covers, in words (Part 11 §11.50, §11.70): the whole casebook as it stood at a version, or
 * one record named by its type and event id — never a record signature read as the casebook's.
 */
export const signatureScopeInWords = (
  signature: { readonly scope: SignatureScope; readonly signedThroughVersion: number; readonly targetType?: string | null },
  typeInWords: (type: string) => string = (type) => type,
): string =>
  signature.scope === 'casebook'
    ? `the whole casebook through version ${signature.signedThroughVersion}`
    : `one record: ${signature.targetType ? `${typeInWords(signature.targetType)} ` : ''}${signature.scope.eventId}`;

export const isSignatureMeaning = (value: unknown): value is SignatureMeaning =>
  typeof value === 'string' && (SIGNATURE_MEANINGS as readonly string[]).includes(value);

/**
 * Decides the signature event for the subject stream, or refuses. `study` is the study stream's fold:
 * a locked study takes no signature, as it takes no other entry on its subjects (the lock freezes the
 * record that was signed before it; a signature during it would change the locked casebook).
 */
export const decideSignature = (
  command: SignCommand,
  subjectEvents: readonly Recorded[],
  context: CommandMetadata,
  study: StudyState,
): Array<CasebookSigned | RecordSigned> => {
  const type = signatureCommandType(command.scope);
  if (!SIGNATURE_ROLES[type].includes(context.actor.role)) {
    forbidden('AUTH.ROLE_NOT_ALLOWED', roleRefusalInWords(context.actor.role, type, SIGNATURE_ROLES[type]), { action: type, allowedRoles: SIGNATURE_ROLES[type] });
  }
  if (command.signer.userId !== context.actor.userId) {
    forbidden('SIGNATURE.SIGNER_MISMATCH', 'A signature may only be executed by the logged-in user');
  }
  if (!isSignatureMeaning(command.meaning)) {
    invalid('SIGNATURE.MEANING_INVALID', `The meaning of a signature is one of ${SIGNATURE_MEANINGS.join(', ')}`, { meaning: command.meaning });
  }
  const allowed = signatureRoles(type, command.meaning);
  if (!allowed.includes(context.actor.role)) {
    forbidden('AUTH.ROLE_NOT_ALLOWED', roleRefusalInWords(context.actor.role, `sign with the meaning ${command.meaning}`, allowed), { action: type, meaning: command.meaning, allowedRoles: allowed });
  }
  if (study.status === 'locked') {
    refuse('STUDY.LOCKED', `Study ${command.studyId} is locked: no signature can be added to its records`, { studyId: command.studyId, lockReason: study.lockReason });
  }
  if (subjectEvents.length === 0) notFound('SUBJECT.NOT_FOUND', `No subject ${command.subjectId} in study ${command.studyId}`);
  const version = subjectEvents[subjectEvents.length - 1].streamVersion;
  if (command.signedThroughVersion !== version) {
    refuse('SIGNATURE.CONTENT_CHANGED', 'The casebook changed since it was presented for signature; review it again', {
      signedThroughVersion: command.signedThroughVersion,
      currentVersion: version,
    });
  }
  const manifestation: SignatureManifestation = {
    studyId: command.studyId,
    subjectId: command.subjectId,
    signerUserId: command.signer.userId,
    signerUsername: command.signer.username,
    signerFullName: command.signer.fullName,
    signedAt: context.now,
    meaning: command.meaning,
    signedThroughVersion: command.signedThroughVersion,
    signedEventHash: command.signedEventHash,
    signedHash: command.signedHash,
    hashAlgorithm: 'SHA-256',
  };
  if (command.scope === 'casebook') {
    if (command.meaning === 'authorship') requireAuthorOf(subjectEvents.filter((e) => !SIGNATURE_TYPES.has(e.type)), command.signer.userId, 'the casebook');
    return [{ type: 'CasebookSigned', data: manifestation }];
  }
  const targetId = command.scope.eventId;
  const target = subjectEvents.find((e) => e.eventId === targetId);
  if (!target) notFound('SIGNATURE.TARGET_NOT_FOUND', `No event ${targetId} in this subject's casebook`, { eventId: targetId });
  const record = target as Recorded;
  if (NOT_SIGNABLE.has(record.type)) {
    refuse('SIGNATURE.TARGET_NOT_SIGNABLE', `A ${record.type} is not signed on its own; sign the record it belongs to`, { eventId: targetId });
  }
  if (subjectEvents.some((e) => e.type === 'EntryVoided' && (e.data as { targetEventId?: string }).targetEventId === targetId)) {
    refuse('SIGNATURE.TARGET_VOIDED', 'A voided entry cannot be signed', { eventId: targetId });
  }
  const corrections = subjectEvents.filter((e) => e.type === 'EntryCorrected' && (e.data as { targetEventId?: string }).targetEventId === targetId);
  if (command.meaning === 'authorship') requireAuthorOf([record, ...corrections], command.signer.userId, `entry ${targetId}`);
  // A monitor's review is the monitoring attestation, independent of data entry as SDV is: not of a record
  // the monitor recorded or corrected (a coordinator or investigator whose role became monitor).
  if (REVIEW_ONLY_ROLES.includes(context.actor.role) && [record, ...corrections].some((e) => e.actor.userId === command.signer.userId)) {
    forbidden('SIGNATURE.OWN_ENTRY', `Entry ${targetId} was recorded or corrected by ${command.signer.username}: another monitor reviews it`, { targetEventId: targetId });
  }
  return [{ type: 'RecordSigned', data: { ...manifestation, targetEventId: targetId, targetType: record.type } }];
};

/**
 * An authorship signature attests "I entered these data" (the ODM export's and the report's wording): only the
 * user who recorded every one of the events signed (a record with its corrections, or the whole casebook) may
 * make it; anyone else signs as reviewer, approver or the one responsible.
 */
const requireAuthorOf = (events: readonly Recorded[], signerUserId: string, what: string): void => {
  const others = events.filter((e) => e.actor.userId !== signerUserId);
  if (others.length > 0) {
    forbidden('SIGNATURE.NOT_AUTHOR', `Authorship is signed only by whoever entered the data; ${what} holds entries recorded by another user: sign it as review, approval or responsibility`, {
      meaning: 'authorship',
      recordedBy: [...new Set(others.map((e) => e.actor.username))],
    });
  }
};

export type SignatureValidity = 'valid' | 'superseded';

export interface SignatureState extends SignatureManifestation {
  readonly signatureEventId: string;
  readonly type: 'CasebookSigned' | 'RecordSigned';
  readonly scope: SignatureScope;
  readonly status: SignatureValidity;
  /** The corrections and voids, recorded after the signature, that touch what it covered. */
  readonly supersededBy: readonly string[];
}

const isSignatureEvent = (event: Recorded): boolean => SIGNATURE_TYPES.has(event.type);

/**
 * Entries whose figures the domain derives from other entries of their kind, and their place in that order:
 * a follow-up scan's RECIST response from the baseline and the scans dated before it; a dose's window from the
 * dose of the cycle before it. A baseline (order '') comes before every scan; a first dose derives from no dose
 * (its window, like the baseline's, reads the enrollment date: a `SignatureChange` marked `enrollment`).
 */
type DerivedKind = 'assessment' | 'dose';

const derivedPlace = (type: string, data: Readonly<Record<string, unknown>>): { kind: DerivedKind; order: string; derives: boolean; given: boolean } | null => {
  if (type === 'TumorAssessmentRecorded') {
    const baseline = data.baseline === true;
    return { kind: 'assessment', order: baseline ? '' : String(data.assessmentDate), derives: !baseline, given: false };
  }
  if (type === 'DoseAdministered' || type === 'DoseMissed') {
    const cycle = Number(data.cycle);
    return { kind: 'dose', order: String(cycle).padStart(6, '0'), derives: type === 'DoseAdministered' && cycle > 1, given: type === 'DoseAdministered' };
  }
  return null;
};

/**
 * The fields of an entry that others derive from: a later dose's window reads an earlier dose's cycle and date
 * (cycle 1's the enrollment date), a follow-up's RECIST response the earlier scans' date, baseline flag and lesions. A correction of any other
 * field (a lot number, an injection site, a modality) changes nothing another record reads.
 */
const DERIVATION_FIELDS: Readonly<Record<DerivedKind, ReadonlySet<string>>> = {
  dose: new Set(['cycle', 'administeredOn', 'dueOn']),
  assessment: new Set(['assessmentDate', 'baseline', 'targetLesions', 'nonTargetStatus', 'newLesions']),
};

/** A correction or void as the signature rule sees it — or an entry recorded that others derive from — where it stands and what it changes. */
export interface SignatureChange {
  readonly eventId: string;
  readonly streamVersion: number;
  readonly targetEventId: string;
  /** Set when the change touches an entry others derive from: its kind and its places (before and after) in that order. */
  readonly derived?: { readonly kind: DerivedKind; readonly orders: readonly string[] };
  /** Set when the change moves the enrollment date, which cycle 1's window (or any dose's with no dose given before it) and the baseline's window read. */
  readonly enrollment?: true;
}

/** An entry others derive from (or that derives from others) as it reads now. */
export interface DerivedReading {
  readonly kind: DerivedKind;
  readonly order: string;
  readonly derives: boolean;
  /** A dose administered (a missed dose's due date is entered, not derived). */
  readonly given: boolean;
  readonly streamVersion: number;
  readonly voided: boolean;
}

/** One step of a subject's entries in stream order: an entry recorded, corrected (with what changed) or voided. */
export type EntryStep =
  | { readonly kind: 'entry'; readonly eventId: string; readonly streamVersion: number; readonly type: string; readonly data: Readonly<Record<string, unknown>> }
  | { readonly kind: 'correction' | 'void'; readonly eventId: string; readonly streamVersion: number; readonly targetEventId: string; readonly after: Readonly<Record<string, unknown>> };

/** The changes the signature rule weighs, and every derived entry as it reads after them, from the steps in stream order. */
export const signatureChanges = (steps: readonly EntryStep[]): { changes: SignatureChange[]; readings: Map<string, DerivedReading> } => {
  const readings = new Map<string, DerivedReading>();
  const current = new Map<string, { type: string; data: Readonly<Record<string, unknown>> }>();
  const changes: SignatureChange[] = [];
  for (const step of steps) {
    if (step.kind === 'entry') {
      current.set(step.eventId, { type: step.type, data: step.data });
      const place = derivedPlace(step.type, step.data);
      if (!place) continue;
      readings.set(step.eventId, { ...place, streamVersion: step.streamVersion, voided: false });
      changes.push({ eventId: step.eventId, streamVersion: step.streamVersion, targetEventId: step.eventId, derived: { kind: place.kind, orders: [place.order] } });
      continue;
    }
    const before = readings.get(step.targetEventId);
    const entry = current.get(step.targetEventId);
    if (!before || !entry) {
      const enrollment = entry?.type === 'SubjectEnrolled' && (step.kind === 'void' || 'enrollmentDate' in step.after);
      changes.push({ eventId: step.eventId, streamVersion: step.streamVersion, targetEventId: step.targetEventId, ...(enrollment ? { enrollment: true as const } : {}) });
      continue;
    }
    const data = { ...entry.data, ...step.after };
    current.set(step.targetEventId, { type: entry.type, data });
    const place = derivedPlace(entry.type, data) ?? before;
    readings.set(step.targetEventId, { ...place, streamVersion: before.streamVersion, voided: before.voided || step.kind === 'void' });
    const movesDerivation = step.kind === 'void' || Object.keys(step.after).some((field) => DERIVATION_FIELDS[before.kind].has(field));
    changes.push({
      eventId: step.eventId,
      streamVersion: step.streamVersion,
      targetEventId: step.targetEventId,
      ...(movesDerivation ? { derived: { kind: before.kind, orders: [before.order, place.order] } } : {}),
    });
  }
  return { changes, readings };
};

/**
 * The one supersession rule (SPEC §5): a later `EntryCorrected` or `EntryVoided` whose target the
 * signature covered supersedes it; it is never carried over. A casebook signature covers every event
 * up to `signedThroughVersion`, a record signature its one record. `changes` in stream order.
 * What a signed record reads includes what the domain derives for it (Part 11 §11.70): a later change to an
 * entry it is derived from — for a follow-up scan the baseline or a scan dated on or before it, for a dose one of
 * an earlier cycle — recorded, corrected or voided after the signature, supersedes a signature covering it too.
 */
export const judgeSignature = (
  sig: Recorded,
  versionOf: (eventId: string) => number | undefined,
  changes: readonly SignatureChange[],
  readings: ReadonlyMap<string, DerivedReading> = new Map(),
): SignatureState => {
  const data = sig.data as unknown as SignatureManifestation & { targetEventId?: string };
  const through = data.signedThroughVersion;
  const covers = (targetEventId: string): boolean =>
    sig.type === 'RecordSigned' ? targetEventId === data.targetEventId : (versionOf(targetEventId) ?? Number.POSITIVE_INFINITY) <= through;
  // Per kind, the last place of a covered entry that derives from others: every such entry up to it reads from those before.
  const lastDerived = new Map<DerivedKind, string>();
  for (const [id, r] of readings) {
    const covered = sig.type === 'RecordSigned' ? id === data.targetEventId : r.streamVersion <= through;
    if (covered && r.derives && !r.voided && r.order > (lastDerived.get(r.kind) ?? '')) lastDerived.set(r.kind, r.order);
  }
  const movesDerived = (c: SignatureChange): boolean => {
    const last = c.derived ? lastDerived.get(c.derived.kind) : undefined;
    return last !== undefined && c.targetEventId !== data.targetEventId && c.derived!.orders.some((o) => o <= last);
  };
  // A signed record whose window is derived from the enrollment date: the baseline scan, or a dose given with no
  // dose given in a cycle below it (cycle 1, or a later one whose earlier doses were voided or missed).
  const signed = sig.type === 'RecordSigned' && data.targetEventId ? readings.get(data.targetEventId) : undefined;
  const readsEnrollment =
    signed !== undefined &&
    (signed.kind === 'assessment'
      ? signed.order === ''
      : signed.given && ![...readings.values()].some((r) => r.kind === 'dose' && r.given && !r.voided && r.order < signed.order));
  const movesWindow = (c: SignatureChange): boolean => c.enrollment === true && readsEnrollment;
  const supersededBy = changes.filter((c) => c.streamVersion > through && (covers(c.targetEventId) || movesDerived(c) || movesWindow(c))).map((c) => c.eventId);
  return {
    ...data,
    signatureEventId: sig.eventId,
    type: sig.type as SignatureState['type'],
    scope: sig.type === 'RecordSigned' && data.targetEventId ? { eventId: data.targetEventId } : 'casebook',
    status: supersededBy.length > 0 ? 'superseded' : 'valid',
    supersededBy,
  } as SignatureState;
};

/**
 * Every signature in a subject's stream with its status, from the recorded events. Pure; for the ODM
 * export and the signature ceremony (the casebook reads the same rule from the folded state:
 * `subjectSignatures`).
 */
export const signatureStatus = (subjectEvents: readonly Recorded[]): SignatureState[] => {
  const versionOf = new Map(subjectEvents.map((e) => [e.eventId, e.streamVersion]));
  const steps: EntryStep[] = subjectEvents.flatMap((e): EntryStep[] => {
    const d = e.data as Record<string, unknown>;
    if (e.type === 'EntryCorrected' || e.type === 'EntryVoided') {
      const after = e.type === 'EntryCorrected' && d.after !== null && typeof d.after === 'object' ? (d.after as Record<string, unknown>) : {};
      return [{ kind: e.type === 'EntryCorrected' ? 'correction' : 'void', eventId: e.eventId, streamVersion: e.streamVersion, targetEventId: String(d.targetEventId), after }];
    }
    return isSignatureEvent(e) ? [] : [{ kind: 'entry', eventId: e.eventId, streamVersion: e.streamVersion, type: e.type, data: d }];
  });
  const { changes, readings } = signatureChanges(steps);
  return subjectEvents.filter(isSignatureEvent).map((sig) => judgeSignature(sig, (id) => versionOf.get(id), changes, readings));
};
