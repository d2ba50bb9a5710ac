/**
 * Thresholds of the risk-based audit-trail review (EMA Guideline on computerised systems and
 * electronic data in clinical trials, 2023, §6.2.2): what counts as a late entry, a burst, a high
 * correction rate, a thin reason. They belong to the study, so they live in the protocol document; a
 * protocol written before the block existed (or a partial block) gets `DEFAULT_REVIEW_THRESHOLDS`.
 */
export interface ReviewThresholds {
  /** Days between an entry's clinical date and its recording above which the entry is late (ALCOA+ "contemporaneous"). */
  readonly entryLagDays: number;
  /** Expected working hours of the sites, in their IANA time zone; entries outside them (or on a weekend, unless allowed) are flagged. */
  readonly siteHours: { readonly timeZone: string; readonly start: string; readonly end: string; readonly weekends: boolean };
  /** More than `writes` commands by one user within `minutes` is a burst. */
  readonly burst: { readonly writes: number; readonly minutes: number };
  /** Corrections (voids) per clinical entry, in percent, above which a user's or subject's rate is flagged… */
  readonly correctionRatePercent: number;
  readonly voidRatePercent: number;
  /** …once the user or subject has at least this many entries. */
  readonly minEntriesForRate: number;
  /** One user holding more than this share of all corrections and voids (of at least `minChangesForShare`). */
  readonly dominantSharePercent: number;
  readonly minChangesForShare: number;
  /** Reasons for change shorter than this are flagged; the same reason verbatim on more than `repeatedReasonCount` changes too. */
  readonly minReasonLength: number;
  readonly repeatedReasonCount: number;
  /** Failed logins of one account at or above this count are flagged. */
  readonly failedLogins: number;
  /** Minutes around an edit in which a role change, or after a reset in which a password change and a signature, are flagged. */
  readonly accessWindowMinutes: number;
}

/** The protocol's `review` block as written: any subset of the thresholds. */
export type ReviewPolicy = Partial<Omit<ReviewThresholds, 'siteHours' | 'burst'>> & {
  readonly siteHours?: Partial<ReviewThresholds['siteHours']>;
  readonly burst?: Partial<ReviewThresholds['burst']>;
};

export const DEFAULT_REVIEW_THRESHOLDS: ReviewThresholds = {
  entryLagDays: 30,
  siteHours: { timeZone: 'UTC', start: '07:00', end: '20:00', weekends: false },
  burst: { writes: 30, minutes: 10 },
  correctionRatePercent: 20,
  voidRatePercent: 10,
  minEntriesForRate: 10,
  dominantSharePercent: 60,
  minChangesForShare: 5,
  minReasonLength: 10,
  repeatedReasonCount: 3,
  failedLogins: 3,
  accessWindowMinutes: 60,
};

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

const validTimeZone = (zone: unknown): boolean => {
  if (typeof zone !== 'string' || zone === '' || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const INTEGER_LIMITS: ReadonlyArray<readonly [keyof ReviewThresholds, number, number]> = [
  ['entryLagDays', 0, 3650],
  ['correctionRatePercent', 0, 100],
  ['voidRatePercent', 0, 100],
  ['minEntriesForRate', 1, 1_000_000],
  ['dominantSharePercent', 1, 100],
  ['minChangesForShare', 1, 1_000_000],
  ['minReasonLength', 0, 1000],
  ['repeatedReasonCount', 1, 1_000_000],
  ['failedLogins', 1, 1000],
  ['accessWindowMinutes', 1, 10_080],
];

const isIntegerIn = (value: unknown, min: number, max: number): boolean => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** The problems of a protocol's `review` block (every field optional; unknown fields refused), as `review.field: message`. */
export const reviewProblems = (review: unknown): string[] => {
  if (!isObject(review)) return ['review: must be an object'];
  const problems: string[] = [];
  const known = [...INTEGER_LIMITS.map(([k]) => k), 'siteHours', 'burst'];
  for (const key of Object.keys(review)) if (!known.includes(key)) problems.push(`review.${key}: unknown field`);
  for (const [key, min, max] of INTEGER_LIMITS) {
    if (key in review && !isIntegerIn(review[key], min, max)) problems.push(`review.${key}: must be an integer from ${min} to ${max} (got ${JSON.stringify(review[key])})`);
  }
  if ('siteHours' in review) {
    const h = review.siteHours;
    if (!isObject(h)) problems.push('review.siteHours: must be an object');
    else {
      for (const key of Object.keys(h)) if (!['timeZone', 'start', 'end', 'weekends'].includes(key)) problems.push(`review.siteHours.${key}: unknown field`);
      if ('timeZone' in h && !validTimeZone(h.timeZone)) problems.push(`review.siteHours.timeZone: must be an IANA time zone such as Europe/Paris (got ${JSON.stringify(h.timeZone)})`);
      for (const key of ['start', 'end'] as const) if (key in h && !(typeof h[key] === 'string' && HH_MM.test(h[key] as string))) problems.push(`review.siteHours.${key}: must be HH:MM`);
      if ('weekends' in h && typeof h.weekends !== 'boolean') problems.push('review.siteHours.weekends: must be true or false');
      const start = typeof h.start === 'string' ? h.start : DEFAULT_REVIEW_THRESHOLDS.siteHours.start;
      const end = typeof h.end === 'string' ? h.end : DEFAULT_REVIEW_THRESHOLDS.siteHours.end;
      if (HH_MM.test(start) && HH_MM.test(end) && end <= start) problems.push('review.siteHours: end must be after start');
    }
  }
  if ('burst' in review) {
    const b = review.burst;
    if (!isObject(b)) problems.push('review.burst: must be an object');
    else {
      for (const key of Object.keys(b)) if (!['writes', 'minutes'].includes(key)) problems.push(`review.burst.${key}: unknown field`);
      if ('writes' in b && !isIntegerIn(b.writes, 1, 1_000_000)) problems.push('review.burst.writes: must be an integer from 1 to 1000000');
      if ('minutes' in b && !isIntegerIn(b.minutes, 1, 1440)) problems.push('review.burst.minutes: must be an integer from 1 to 1440');
    }
  }
  return problems;
};

/** The review thresholds in force under a protocol: its `review` block over the defaults. */
export const reviewThresholdsOf = (protocol: { readonly review?: ReviewPolicy } | null): ReviewThresholds => {
  const review = protocol?.review ?? {};
  return {
    ...DEFAULT_REVIEW_THRESHOLDS,
    ...review,
    siteHours: { ...DEFAULT_REVIEW_THRESHOLDS.siteHours, ...(review.siteHours ?? {}) },
    burst: { ...DEFAULT_REVIEW_THRESHOLDS.burst, ...(review.burst ?? {}) },
  };
};
