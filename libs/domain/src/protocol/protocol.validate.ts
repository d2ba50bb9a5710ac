import { invalid } from '../shared/domain-error';
import { asReadCaseless, firstUnprintable, isBlankText } from '../shared/free-text';
import type { ProtocolDocument } from './protocol.types';
import { reviewProblems } from './protocol-review';
import defaultProtocolJson from './lanr-hgnet-01.protocol.json';
import { DETECTED_DEVIATION_CATEGORIES } from '../subject/decisions/dosing.decision';
import { isPlausibleDecimal, PAYLOAD_NUMBER_BOUNDS } from '../subject/payload.validate';

/**
 * The protocol document is data loaded by `RegisterStudy` and `AmendProtocol` (SPEC §1): every
 * threshold the deciders and the PFS derivation read comes from it, so a malformed document must be
 * refused before it can reach the ledger. Every problem is collected, not only the first, so whoever
 * edits the JSON sees all of them at once.
 */
export const PROTOCOL_INVALID = 'PROTOCOL.INVALID';

/** RECIST 1.1 assessments are made on CT or MRI (the modalities of `RecordTumorAssessment`). */
const RECIST_MODALITIES = ['CT', 'MRI'];
/** WHO grades a NET can be assigned (the `whoGrade` field of `AssessEligibility` is 1–3). */
const WHO_GRADES = [1, 2, 3];
const DISEASE_STATUSES = ['metastatic', 'recurrent', 'locally-advanced'];
/** ECOG performance status runs 0 (fully active) to 4 (completely disabled); 5 is dead. */
const MAX_ECOG = 4;

type Problems = string[];
type Obj = Record<string, unknown>;

const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

const checkKeys = (obj: Obj, path: string, keys: readonly string[], problems: Problems): void => {
  for (const key of Object.keys(obj)) {
    if (!keys.includes(key)) problems.push(`${path}${key}: unknown field`);
  }
};

const text = (obj: Obj, key: string, path: string, problems: Problems): void => {
  const value = obj[key];
  // Blank as a reader sees it (spaces, zero-width or filler characters only) is empty too.
  if (typeof value !== 'string' || isBlankText(value)) problems.push(`${path}${key}: must be a non-empty string`);
  else if (firstUnprintable(value) !== null) problems.push(`${path}${key}: contains the control or bidirectional-override character ${firstUnprintable(value)}`);
};

const integer = (obj: Obj, key: string, path: string, problems: Problems, min: number, max = Number.MAX_SAFE_INTEGER): void => {
  const value = obj[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.push(`${path}${key}: must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`} (got ${JSON.stringify(value)})`);
  }
};

const number = (obj: Obj, key: string, path: string, problems: Problems, minExclusive: number, max: number): void => {
  const value = obj[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= minExclusive || value > max) {
    problems.push(`${path}${key}: must be a number above ${minExclusive} and at most ${max} (got ${JSON.stringify(value)})`);
  }
};

/** A protocol quantity on the grid its recorded counterpart uses (a dose to 0.001 mg), never a subnormal float. */
const decimals = (obj: Obj, key: string, path: string, problems: Problems, grid: { readonly decimals: number; readonly unit: string }): void => {
  const value = obj[key];
  if (typeof value === 'number' && Number.isFinite(value) && !isPlausibleDecimal(value, grid.decimals)) {
    problems.push(`${path}${key}: must be given to at most ${grid.decimals} decimal places of ${grid.unit} (got ${String(value)})`);
  }
};

const boolean = (obj: Obj, key: string, path: string, problems: Problems): void => {
  if (typeof obj[key] !== 'boolean') problems.push(`${path}${key}: must be true or false`);
};

/** A non-empty list without duplicates whose items pass `item` (and belong to `allowed` when given). */
const list = (
  obj: Obj,
  key: string,
  path: string,
  problems: Problems,
  item: (value: unknown) => boolean,
  itemDescription: string,
  allowed?: readonly unknown[],
): void => {
  const value = obj[key];
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`${path}${key}: must be a non-empty list`);
    return;
  }
  value.forEach((v, i) => {
    if (!item(v)) problems.push(`${path}${key}[${i}]: must be ${itemDescription}`);
    else if (allowed && !allowed.includes(v)) problems.push(`${path}${key}[${i}]: must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`);
  });
  // Items are compared as read, as the deciders compare them (`Rectum` is the listed `rectum`): two that read alike are one.
  if (new Set(value.map((v) => (typeof v === 'string' ? asReadCaseless(v) : v))).size !== value.length) problems.push(`${path}${key}: must not contain duplicates`);
};

const isText = (v: unknown): boolean => typeof v === 'string' && !isBlankText(v) && firstUnprintable(v) === null;
const isPositiveInteger = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v > 0;

const section = (doc: Obj, key: string, problems: Problems): Obj | null => {
  const value = doc[key];
  if (!isObject(value)) {
    problems.push(`${key}: must be an object`);
    return null;
  }
  return value;
};

const checkTreatment = (t: Obj, problems: Problems): void => {
  const p = 'treatment.';
  checkKeys(t, p, ['drug', 'doseMg', 'route', 'intervalDays', 'windowDays', 'firstDose'], problems);
  text(t, 'drug', p, problems);
  number(t, 'doseMg', p, problems, 0, 100_000);
  decimals(t, 'doseMg', p, problems, PAYLOAD_NUMBER_BOUNDS.doseMg);
  text(t, 'route', p, problems);
  integer(t, 'intervalDays', p, problems, 1, 3650);
  integer(t, 'windowDays', p, problems, 0, 3650);
  // Windows of consecutive cycles must not overlap, or a dose could belong to two cycles.
  if (isPositiveInteger(t.intervalDays) && typeof t.windowDays === 'number' && 2 * t.windowDays >= (t.intervalDays as number)) {
    problems.push(`${p}windowDays: the ± window must be less than half the dosing interval`);
  }
  if (!isObject(t.firstDose)) {
    problems.push(`${p}firstDose: must be an object`);
    return;
  }
  const f = t.firstDose;
  checkKeys(f, `${p}firstDose.`, ['fromDay', 'toDay'], problems);
  integer(f, 'fromDay', `${p}firstDose.`, problems, 0, 3650);
  integer(f, 'toDay', `${p}firstDose.`, problems, 0, 3650);
  if (typeof f.fromDay === 'number' && typeof f.toDay === 'number' && f.toDay < f.fromDay) {
    problems.push(`${p}firstDose: toDay must not be before fromDay`);
  }
};

const checkAssessments = (a: Obj, problems: Problems): void => {
  const p = 'assessments.';
  checkKeys(a, p, ['modalities', 'baselineWindowDays', 'intervalDays', 'windowDays'], problems);
  list(a, 'modalities', p, problems, isText, 'a non-empty string', RECIST_MODALITIES);
  integer(a, 'baselineWindowDays', p, problems, 0, 3650);
  integer(a, 'intervalDays', p, problems, 1, 3650);
  integer(a, 'windowDays', p, problems, 0, 3650);
  if (isPositiveInteger(a.intervalDays) && typeof a.windowDays === 'number' && 2 * a.windowDays >= (a.intervalDays as number)) {
    problems.push(`${p}windowDays: the ± window must be less than half the assessment interval`);
  }
};

const checkEndpoint = (e: Obj, problems: Problems): void => {
  const p = 'endpoint.';
  checkKeys(e, p, ['name', 'description', 'population', 'horizonDays', 'missedAssessmentsForCensoring', 'rateDays'], problems);
  text(e, 'name', p, problems);
  text(e, 'description', p, problems);
  text(e, 'population', p, problems);
  integer(e, 'horizonDays', p, problems, 1, 36_500);
  integer(e, 'missedAssessmentsForCensoring', p, problems, 1, 100);
  list(e, 'rateDays', p, problems, isPositiveInteger, 'a positive integer');
  if (Array.isArray(e.rateDays) && isPositiveInteger(e.horizonDays) && e.rateDays.some((d) => typeof d === 'number' && d > (e.horizonDays as number))) {
    problems.push(`${p}rateDays: must not lie beyond the analysis horizon (${String(e.horizonDays)} days)`);
  }
};

const checkEligibility = (g: Obj, problems: Problems): void => {
  const p = 'eligibility.';
  checkKeys(
    g,
    p,
    ['minAge', 'primarySites', 'whoGrades', 'maxKi67Percent', 'diseaseStatuses', 'requireMeasurableDisease', 'allowPriorSystemicTherapy', 'maxEcog'],
    problems,
  );
  integer(g, 'minAge', p, problems, 0, 130);
  list(g, 'primarySites', p, problems, isText, 'a non-empty string');
  list(g, 'whoGrades', p, problems, (v) => typeof v === 'number', 'a number', WHO_GRADES);
  const ki67 = g.maxKi67Percent;
  if (typeof ki67 !== 'number' || !Number.isFinite(ki67) || ki67 < 0 || ki67 > 100) {
    problems.push(`${p}maxKi67Percent: must be a percentage from 0 to 100 (got ${JSON.stringify(ki67)})`);
  }
  decimals(g, 'maxKi67Percent', p, problems, PAYLOAD_NUMBER_BOUNDS.ki67Percent);
  list(g, 'diseaseStatuses', p, problems, isText, 'a non-empty string', DISEASE_STATUSES);
  boolean(g, 'requireMeasurableDisease', p, problems);
  boolean(g, 'allowPriorSystemicTherapy', p, problems);
  integer(g, 'maxEcog', p, problems, 0, MAX_ECOG);
};

const checkMonitoring = (m: Obj, problems: Problems): void => {
  const p = 'monitoring.';
  checkKeys(m, p, ['systemQueryDeviations'], problems);
  const value = m.systemQueryDeviations;
  // An empty list is allowed: a protocol may open no query automatically.
  if (Array.isArray(value) && value.length === 0) return;
  list(m, 'systemQueryDeviations', p, problems, isText, 'a non-empty string', DETECTED_DEVIATION_CATEGORIES);
};

/**
 * A study id: it becomes part of every stream id of the study and of every API route (`/studies/:studyId`),
 * so one outside this rule (a space, a slash, a line feed, `__proto__`) would register a study no route
 * could ever name again — not to read it, amend it, lock it or screen a subject.
 */
export const STUDY_ID_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?$/;
export const STUDY_ID_RULE = 'must be 1–64 letters, digits, ".", "_" or "-", starting and ending with a letter or digit';

/** Which detected deviations open a system query; every detected category for a protocol that does not say. */
export const systemQueryDeviations = (protocol: ProtocolDocument): readonly string[] => protocol.monitoring?.systemQueryDeviations ?? DETECTED_DEVIATION_CATEGORIES;

/** Every problem of a candidate protocol document, as `path: message` lines; empty when valid. */
export const protocolProblems = (doc: unknown): string[] => {
  const problems: Problems = [];
  if (!isObject(doc)) return ['the protocol document must be a JSON object'];
  checkKeys(doc, '', ['studyId', 'version', 'title', 'design', 'targetEnrollment', 'treatment', 'assessments', 'endpoint', 'eligibility', 'monitoring', 'review'], problems);
  text(doc, 'studyId', '', problems);
  if (typeof doc.studyId === 'string' && !isBlankText(doc.studyId) && !STUDY_ID_PATTERN.test(doc.studyId)) problems.push(`studyId: ${STUDY_ID_RULE} (got ${JSON.stringify(doc.studyId)})`);
  integer(doc, 'version', '', problems, 1);
  text(doc, 'title', '', problems);
  text(doc, 'design', '', problems);
  integer(doc, 'targetEnrollment', '', problems, 1, 1_000_000);
  const treatment = section(doc, 'treatment', problems);
  if (treatment) checkTreatment(treatment, problems);
  const assessments = section(doc, 'assessments', problems);
  if (assessments) checkAssessments(assessments, problems);
  const endpoint = section(doc, 'endpoint', problems);
  if (endpoint) checkEndpoint(endpoint, problems);
  const eligibility = section(doc, 'eligibility', problems);
  if (eligibility) checkEligibility(eligibility, problems);
  if (doc.monitoring !== undefined) {
    const monitoring = section(doc, 'monitoring', problems);
    if (monitoring) checkMonitoring(monitoring, problems);
  }
  if ('review' in doc) problems.push(...reviewProblems(doc.review));
  return problems;
};

/**
 * Checks every field of a protocol document (types, ranges, non-empty lists, no unknown fields) and
 * returns a deep copy typed as `ProtocolDocument`; refuses with `PROTOCOL.INVALID` listing every
 * problem in `details.problems`.
 */
export const validateProtocol = (doc: unknown): ProtocolDocument => {
  const problems = protocolProblems(doc);
  if (problems.length > 0) {
    invalid(PROTOCOL_INVALID, `The protocol document is invalid: ${problems.join('; ')}`, { problems });
  }
  return structuredClone(doc) as ProtocolDocument;
};

/** The seed protocol of LANR-HGNET-01 (SPEC §1), validated, as a fresh copy. */
export const loadDefaultProtocol = (): ProtocolDocument => validateProtocol(defaultProtocolJson);
