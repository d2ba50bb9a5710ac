import { isRole, SYSTEM_ACTOR, type Role } from '../shared/actor';
import { invalid } from '../shared/domain-error';
import { hasHiddenCharacter, isBlankText, requirePrintable } from '../shared/free-text';

/** What an administrator types about a user (username, printed name, role), checked before any decision. */

/** The username rule, case-insensitive; the API's DTOs check the same pattern. */
export const USERNAME_PATTERN = /^[a-z][a-z0-9._-]{2,63}$/i;
export const USERNAME_RULE = '3–64 characters: a letter, then letters, digits, ".", "_" or "-"';
const MAX_FULL_NAME = 200;
/**
 * Usernames are compared case-insensitively: `Alice` and `alice` are one name. Only ASCII letters fold:
 * `toLowerCase()` maps the Kelvin sign `K` (U+212A) to an ASCII `k`, so `\u212Aate` would have signed in
 * as `kate` and been created as `kate` — a name outside the username rule read as someone else's
 * (§11.300(a): one identification code per person, as typed). Folded this way it fails the rule instead.
 */
export const normaliseUsername = (username: string): string => username.trim().replace(/[A-Z]+/g, (letters) => letters.toLowerCase());

export const validateUsername = (username: unknown): string => {
  const name = typeof username === 'string' ? normaliseUsername(username) : '';
  if (!USERNAME_PATTERN.test(name)) {
    invalid('IDENTITY.USERNAME_INVALID', `A username is ${USERNAME_RULE}`, { username });
  }
  // The system actor's name: a person under it would read, in every trail and export, as the ledger's own
  // automatic acts (account policy, system queries) — two identities behind one printed user (§11.100(a)).
  if (name === SYSTEM_ACTOR.username) {
    invalid('IDENTITY.USERNAME_RESERVED', `The username ${JSON.stringify(name)} is reserved for the ledger's own acts`, { username: name });
  }
  return name;
};

/**
 * A username's confusable skeleton (Unicode UTS #39, §4): what a reader could take it for. Usernames are ASCII
 * letters, digits, ".", "_" and "-", folded to lower case, so the only look-alikes left among them are the ones
 * confusables.txt lists between ASCII characters — "0" for "O", "1" for "l", "rn" for "m" (it maps "I" to "l" too,
 * which the case fold has made "i"). The "O" is compared folded, as usernames are: "ivan.0" reads as "ivan.o".
 * Scripts other than Latin never get this far: the username rule refuses them (a Cyrillic "а" in "аlice").
 * The separators ".", "_" and "-" are left out: "s_okafor", "s.okafor." and "sokafor" read as "s.okafor".
 */
export const usernameSkeleton = (username: string): string =>
  normaliseUsername(username).replace(/[._-]/g, '').replace(/m/g, 'rn').replace(/0/g, 'o').replace(/1/g, 'l');

/**
 * Control characters (NUL, ESC, …) and bidirectional overrides cannot be part of a printed name: the
 * name is the signature manifestation of Part 11 §11.50, and an override could make it display as
 * someone else's name in every view, while a NUL, a lone surrogate or U+FFFE/U+FFFF cannot be written
 * to XML or UTF-8 at all (the ODM export and the report would print U+FFFD instead).
 */
const NOT_PRINTABLE = /[\p{Cc}\p{Cs}\u202A-\u202E\u2066-\u2069\uFFFE\uFFFF]/u;

export const validateFullName = (fullName: unknown): string => {
  const name = typeof fullName === 'string' ? fullName.trim().replace(/\s+/g, ' ') : '';
  // A name of zero-width or blank-filler characters only would print as nothing in every signature; one such
  // character beside visible ones (`B\u200b`, a bidi mark) would print as another user's name (§11.50, §11.100(a)).
  // Checked as typed: a byte-order mark counts as white space to `trim` and `\s`, and would be folded away unseen.
  if (isBlankText(name) || (typeof fullName === 'string' && hasHiddenCharacter(fullName)) || name.length > MAX_FULL_NAME || NOT_PRINTABLE.test(name)) {
    invalid('IDENTITY.FULL_NAME_INVALID', `The full printed name is required (at most ${MAX_FULL_NAME} printable characters)`);
  }
  return name;
};

/** A parenthesised word as every view prints a person's username after the name: `(ivy)`, `(ivy, investigator)`. */
const PRINTED_USERNAME = /\(\s*([^\s(),]+)\s*[,)]/g;

/**
 * A printed name may not name another account the way every view prints one (`personInWords`): a user created
 * as "Dr Ivy Lee (ivy, investigator)" would sign, in the report, the viewer and the ODM export, as
 * "Dr Ivy Lee (ivy, investigator) (mallory, coordinator)" — read as ivy's signature (Part 11 §11.50(a)(1),
 * §11.100(a)). Compared as a reader would: case, spacing and compatibility forms (fullwidth letters) folded.
 * Parentheses naming no account ("Maria (Mia) Rossi"), or the user's own username, are left alone.
 */
export const validateFullNameAmong = (fullName: unknown, ownUsername: string, accounts: readonly { readonly username: string; readonly fullName: string }[]): string => {
  const name = validateFullName(fullName);
  const others = new Set([...accounts.map((a) => a.username), SYSTEM_ACTOR.username]);
  others.delete(ownUsername);
  const named = printedUsernames(name).find((word) => others.has(word));
  if (named !== undefined) {
    invalid('IDENTITY.FULL_NAME_NAMES_ANOTHER_USER', `The full printed name names the account ${JSON.stringify(named)} as every view prints a username: it would read as that user's name`, { username: named });
  }
  // And the other way round: a username that an existing account's printed name already names.
  const namedBy = accounts.find((a) => a.username !== ownUsername && printedUsernames(a.fullName).includes(ownUsername));
  if (namedBy) {
    invalid('IDENTITY.FULL_NAME_NAMES_ANOTHER_USER', `The printed name of ${JSON.stringify(namedBy.username)} names ${JSON.stringify(ownUsername)} as every view prints a username: choose another username`, { username: ownUsername, namedBy: namedBy.username });
  }
  return name;
};

const printedUsernames = (name: string): string[] => [...name.normalize('NFKC').toLowerCase().matchAll(PRINTED_USERNAME)].map((m) => m[1]);

/**
 * A printed name as a reader compares two: compatibility forms folded (NFKC: fullwidth letters, ligatures), case
 * folded, punctuation read as a space ("Dr. Ivan", "Ivan-Investigator"), white space collapsed. Two accounts whose
 * names give the same key read as one person in every view.
 */
export const personNameKey = (fullName: string): string =>
  fullName.normalize('NFKC').toLowerCase().replace(/[\p{P}\s]+/gu, ' ').trim();

/** The longest reason an administrator may give for a change to an account (the API's limit too). */
export const IDENTITY_REASON_MAX = 500;

/**
 * A reason given for a change to an account (role, deactivation, reactivation, password reset) is
 * free text recorded in the ledger and printed in every trail: the free-text rule applies to it
 * (no control or bidirectional-override characters, not blank), with a bound, as to every other reason.
 */
export const validateIdentityReason = (reason: string | null | undefined): void => {
  if (reason === null || reason === undefined) return;
  // Optional, but a reason given empty or made only of spaces and invisible characters would be recorded,
  // and printed in every trail, as a reason that says nothing (as for an optional query text).
  if (isBlankText(reason)) invalid('VALIDATION.REQUIRED', 'reason, when given, must be a non-empty text (leave it out for none)', { field: 'reason' });
  if (reason.length > IDENTITY_REASON_MAX) invalid('VALIDATION.TOO_LONG', `reason is longer than ${IDENTITY_REASON_MAX} characters`, { field: 'reason', maxLength: IDENTITY_REASON_MAX });
  requirePrintable('reason', reason);
};

export const validateRole = (role: unknown): Role => {
  if (!isRole(role)) invalid('IDENTITY.ROLE_INVALID', `Unknown role ${JSON.stringify(role)}`, { role });
  return role as Role;
};
