/**
 * RFC 9457 problem details. `code` is the stable dotted identifier clients rely on
 * (`SUBJECT.NOT_ENROLLED`); `type` is a URI derived from it, so the two never disagree.
 */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly instance: string;
  readonly [extension: string]: unknown;
}

export const PROBLEM_TYPE_BASE = 'https://trial-ledger.dev/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** `SUBJECT.NOT_ENROLLED` → `https://trial-ledger.dev/problems/subject-not-enrolled`. */
export const problemTypeFor = (code: string): string => PROBLEM_TYPE_BASE + code.toLowerCase().replace(/[._]+/g, '-');

/** `SUBJECT.NOT_ENROLLED` → `Subject not enrolled`: the same title for every occurrence of a type (RFC 9457 §3.1.3). */
export const problemTitleFor = (code: string): string => {
  const words = code.toLowerCase().replace(/[._]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** Members an extension may not overwrite. */
const STANDARD_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'code', 'instance']);

export const buildProblem = (
  code: string,
  status: number,
  detail: string,
  instance: string,
  extensions: Record<string, unknown> = {},
): ProblemDetails => {
  const extra = Object.fromEntries(Object.entries(extensions).filter(([key]) => !STANDARD_MEMBERS.has(key)));
  return { type: problemTypeFor(code), title: problemTitleFor(code), status, detail, code, instance, ...extra };
};
