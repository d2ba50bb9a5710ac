import { createParamDecorator, HttpStatus, type ExecutionContext } from '@nestjs/common';
import { DomainError } from '@trial-ledger/domain';
import type { HttpRequest } from './http.types';
import { ApiProblemException } from '../problem-details/api-problem.exception';

/** The strong entity tag of a stream at a version: the number of events the client has seen. */
export const etagFor = (version: number): string => `"${version}"`;

/**
 * `If-Match: "7"` → 7, the stream version the client saw (SPEC §4 optimistic concurrency). Absent or
 * `*` → undefined (no pin: the pipeline re-reads and retries on a race). Weak tags (`W/"7"`) never
 * match under If-Match's strong comparison (RFC 9110 §13.1.1), so they are refused as malformed.
 */
export const parseIfMatch = (header: string | string[] | undefined): number | undefined => {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (value === '*') return undefined;
  const match = /^"(0|[1-9]\d{0,15})"$/.exec(value);
  // Sixteen digits can pass 2^53 − 1, where Number() would read another version ("…993" as …992).
  if (!match || !Number.isSafeInteger(Number(match[1]))) {
    throw new ApiProblemException('REQUEST.INVALID_IF_MATCH', HttpStatus.BAD_REQUEST, 'If-Match must be one strong entity tag holding a stream version, e.g. "3".', {
      header: 'If-Match',
    });
  }
  return Number(match[1]);
};

/** `If-Match: *`: a precondition that holds only when the resource has a current representation (RFC 9110 §13.1.1). */
export const isIfMatchAny = (header: string | string[] | undefined): boolean =>
  header !== undefined && (Array.isArray(header) ? header.join(',') : header).trim() === '*';

/** `If-None-Match: *`: "create only if absent", a precondition that holds only while the resource has no representation (RFC 9110 §13.1.2). */
export const isIfNoneMatchAny = (header: string | string[] | undefined): boolean =>
  header !== undefined && (Array.isArray(header) ? header.join(',') : header).trim() === '*';

/**
 * The routes that create the resource they name (a subject screened, a study registered, a query thread opened, a
 * user added), as the router writes them: the only ones where `If-None-Match: *` means something to the ledger.
 */
const CREATE_ROUTES: ReadonlySet<string> = new Set([
  'POST /api/v1/studies',
  'POST /api/v1/studies/:studyId/subjects',
  'POST /api/v1/studies/:studyId/queries',
  'POST /api/v1/users',
]);

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

const unsupported = (header: string, detail: string): ApiProblemException =>
  new ApiProblemException('REQUEST.UNSUPPORTED_PRECONDITION', HttpStatus.BAD_REQUEST, detail, { header });

/**
 * The conditional headers a command may not carry, as a problem (null when it carries none of them). A command's
 * precondition is `If-Match` (the stream version in `ETag`), plus `If-None-Match: *` on a create route. Anything else
 * is refused rather than ignored, so a client never takes a precondition for checked when it was not:
 * - `If-None-Match` naming tags: a command compares the client's version with `If-Match`; a list of versions the
 *   resource must not be at guards nothing a client can know to ask (and `*` on a route that creates nothing names a
 *   resource that exists by the time it is called);
 * - `If-Unmodified-Since`: the ledger answers no `Last-Modified`, so there is no date to compare (RFC 9110 §13.1.4 would
 *   have it ignored, which would carry the command out unconditionally); a second's resolution could not order
 *   commands recorded in the same second anyway.
 */
export const refusedPrecondition = (method: string, route: string | undefined, headers: Readonly<Record<string, string | string[] | undefined>>): ApiProblemException | null => {
  if (SAFE_METHODS.has(method) || !(route ?? '').startsWith('/api/v1/')) return null;
  if (headers['if-unmodified-since'] !== undefined) {
    return unsupported('If-Unmodified-Since', 'A command takes no If-Unmodified-Since (the ledger has no modification dates to compare): send If-Match with the ETag you saw. Nothing was done.');
  }
  const noneMatch = headers['if-none-match'];
  if (noneMatch === undefined) return null;
  if (isIfNoneMatchAny(noneMatch) && CREATE_ROUTES.has(`${method} ${route}`)) return null;
  return unsupported(
    'If-None-Match',
    CREATE_ROUTES.has(`${method} ${route}`)
      ? 'If-None-Match on a command is * only ("create only if absent"): to pin a version, send If-Match with the ETag you saw. Nothing was done.'
      : 'If-None-Match: * is taken only by a route that creates its resource (screening, study registration, a query, a user); this one changes one that exists: send If-Match with the ETag you saw. Nothing was done.',
  );
};

/**
 * Under `If-None-Match: *`, the refusal of a resource that exists already (`existsCode`, e.g. `IDENTITY.USERNAME_TAKEN`)
 * is the failed precondition, 412, the refusal's details kept; without it, the refusal stays as it is. Decided where the
 * resource is created, after an idempotent repeat has been answered, so a retry of the same request still gets its first answer.
 */
export const createdOnlyIfAbsent = async <T>(creating: Promise<T>, onlyIfAbsent: boolean, existsCode: string): Promise<T> => {
  try {
    return await creating;
  } catch (error) {
    if (!onlyIfAbsent || !(error instanceof DomainError) || error.code !== existsCode) throw error;
    throw new ApiProblemException('REQUEST.PRECONDITION_FAILED', HttpStatus.PRECONDITION_FAILED, `${error.message}: If-None-Match: * holds only while it does not exist. Nothing was written.`, {
      ...error.details,
      header: 'If-None-Match',
      cause: existsCode,
    });
  }
};

/** The `If-Match` header as an expected stream version (`undefined` when not pinned). */
export const ExpectedVersion = createParamDecorator((_data: unknown, context: ExecutionContext): number | undefined =>
  parseIfMatch(context.switchToHttp().getRequest<HttpRequest>().headers['if-match']),
);

/**
 * For routes whose resource has no entity tag (user management): a version named in `If-Match` can
 * never match, so the request is refused (412) rather than carried out as if unconditional (RFC 9110
 * §13.1.1); `*` holds for any current state; a malformed value is a 400 as everywhere.
 */
export const refuseIfMatchWithoutEntityTag = (header: string | string[] | undefined): void => {
  if (parseIfMatch(header) === undefined) return;
  throw new ApiProblemException('REQUEST.PRECONDITION_FAILED', HttpStatus.PRECONDITION_FAILED, 'This resource has no entity tag for If-Match to match; send no If-Match (or *).', {
    header: 'If-Match',
  });
};

/** Applies `refuseIfMatchWithoutEntityTag` to the request; resolves to nothing. */
export const NoEntityTag = createParamDecorator((_data: unknown, context: ExecutionContext): void =>
  refuseIfMatchWithoutEntityTag(context.switchToHttp().getRequest<HttpRequest>().headers['if-match']),
);

/**
 * For a route that creates a resource with no entity tag (adding a user): besides a version, which never
 * matches, `If-Match: *` is refused too: it is false for a resource that does not exist yet (RFC 9110 §13.1.1).
 * Resolves to whether the request said `If-None-Match: *` (create only if absent: `createdOnlyIfAbsent`).
 */
export const NewResourceWithoutEntityTag = createParamDecorator((_data: unknown, context: ExecutionContext): boolean => {
  const { headers } = context.switchToHttp().getRequest<HttpRequest>();
  refuseIfMatchWithoutEntityTag(headers['if-match']);
  if (isIfMatchAny(headers['if-match'])) {
    throw new ApiProblemException('REQUEST.PRECONDITION_FAILED', HttpStatus.PRECONDITION_FAILED, 'If-Match: * holds only for a resource that exists; this request creates one. Send no If-Match.', {
      header: 'If-Match',
    });
  }
  return isIfNoneMatchAny(headers['if-none-match']);
});
