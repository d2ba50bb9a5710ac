import type { Role } from '../shared/actor';

/**
 * Commands and queries in words, for the detail of a role refusal (Part 11 §11.10(g)): "An
 * investigator may not review the audit trail" rather than the internal name. The internal name stays
 * in the problem's fields (`action`, `command`), which are the stable contract; the words are for reading.
 */
const ACTION_WORDS: Readonly<Record<string, string>> = {
  RegisterStudy: 'register a study',
  AmendProtocol: 'amend the protocol',
  LockStudy: 'lock the study',
  UnlockStudy: 'unlock the study',
  ScreenSubject: 'screen a subject',
  AssessEligibility: 'assess eligibility',
  EnrollSubject: 'enroll a subject',
  RecordDose: 'record a dose',
  RecordMissedDose: 'record a missed dose',
  RecordTumorAssessment: 'record a tumour assessment',
  RecordClinicalProgression: 'record a clinical progression',
  RecordNewAnticancerTherapy: 'record a new anticancer therapy',
  ReportAdverseEvent: 'report an adverse event',
  RecordAdverseEventOutcome: 'record the outcome of an adverse event',
  RecordDeviation: 'record a protocol deviation',
  DiscontinueTreatment: 'discontinue treatment',
  WithdrawSubject: 'withdraw a subject',
  RecordDeath: 'record a death',
  CorrectEntry: 'correct an entry',
  VoidEntry: 'void an entry',
  GetStudy: 'read the study',
  GetStudyEvents: "read the study's events",
  GetSubject: 'read a subject',
  GetSubjectEvents: "read a subject's events",
  GetCasebook: 'read a casebook',
  GetStudyOverview: 'read the study overview',
  ListSubjects: 'list the subjects',
  GetPfs: 'read the PFS derivation',
  GetPfsPlot: 'read the PFS plot',
  GetPfsDiff: 'compare PFS derivations',
  ListSignatures: 'list the signatures',
  ListQueries: 'list the queries',
  GetQuery: 'read a query',
  GetSourceVerifications: 'read the source data verifications',
  GetAuditTrail: 'read the audit trail',
  ExportAuditTrail: 'export the audit trail',
  ExportOdm: 'export the ODM',
  VerifyLedger: 'verify the ledger',
  ReviewAuditTrail: 'review the audit trail',
  GetInclusionProof: 'read an inclusion proof',
  GetConsistencyProof: 'read a consistency proof',
  ListUsers: 'list the users',
  GetUser: 'read a user',
  GetUserHistory: 'read the user-management history',
  OpenQuery: 'open a query',
  RespondToQuery: 'respond to a query',
  CloseQuery: 'close a query',
  ReopenQuery: 'reopen a query',
  CancelQuery: 'cancel a query',
  VerifySource: 'verify source data',
  SignCasebook: 'sign a casebook',
  SignRecord: 'sign a record',
};

/** Clinical entries as nouns, for the refusal of a correction or a void of one: "may not correct an enrollment". */
const ENTRY_WORDS: Readonly<Record<string, string>> = {
  SubjectScreened: 'a screening',
  EligibilityConfirmed: 'an eligibility assessment',
  SubjectScreenFailed: 'an eligibility assessment',
  SubjectEnrolled: 'an enrollment',
  DoseAdministered: 'a dose',
  DoseMissed: 'a missed dose',
  ProtocolDeviationDetected: 'a protocol deviation',
  TumorAssessmentRecorded: 'a tumour assessment',
  ClinicalProgressionRecorded: 'a clinical progression',
  NewAnticancerTherapyStarted: 'a new anticancer therapy',
  AdverseEventReported: 'an adverse event',
  AdverseEventOutcomeRecorded: 'an adverse event outcome',
  ProtocolDeviationRecorded: 'a protocol deviation',
  TreatmentDiscontinued: 'a treatment discontinuation',
  SubjectWithdrawn: 'a withdrawal',
  SubjectDied: 'a death',
};

/** A clinical entry's event type as a noun with its article ("SubjectEnrolled" → "an enrollment"); an unknown type stays "an entry". */
export const entryInWords = (eventType: string): string => (Object.hasOwn(ENTRY_WORDS, eventType) ? ENTRY_WORDS[eventType] : 'an entry');

/** An internal command or query name in words ("ReviewAuditTrail" → "review the audit trail"); words stay words. */
export const actionInWords = (action: string): string => {
  // Own entries only: a name such as `constructor` or `__proto__` is not the table's.
  const known = Object.hasOwn(ACTION_WORDS, action) ? ACTION_WORDS[action] : undefined;
  if (known) return known;
  const viewer = /^Viewer (\S+)$/.exec(action);
  if (viewer) return `${actionInWords(viewer[1])} in the viewer`;
  if (!/^[A-Z][A-Za-z0-9]*$/.test(action)) return action;
  return action.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
};

/** "A monitor", "An investigator": the role with the article its sound takes. */
const roleWithArticle = (role: Role | string): string => `${/^[aeiou]/i.test(role) ? 'An' : 'A'} ${role}`;

/** The detail of `AUTH.ROLE_NOT_ALLOWED`: "An investigator may not review the audit trail (allowed: monitor, regulator)". */
export const roleRefusalInWords = (role: Role | string, action: string, allowed: readonly string[]): string =>
  `${roleWithArticle(role)} may not ${actionInWords(action)} (allowed: ${allowed.join(', ')})`;
