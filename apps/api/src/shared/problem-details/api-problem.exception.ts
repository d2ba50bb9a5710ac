/**
 * A refusal decided at the HTTP edge (unreadable body, bad header, DTO validation) rather than by the
 * domain. Carries its problem code and status; the one problem-details filter renders it.
 */
export class ApiProblemException extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'ApiProblemException';
  }
}
