import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';
import { invalid } from '@trial-ledger/domain';
import type { IdentityPolicy } from './identity-policy';

/** What a password is checked against besides itself: whose it is, and the one it replaces. */
export interface PasswordOwner {
  readonly username?: string;
  readonly fullName?: string;
  /** The password being replaced (as typed by its owner): a case variant of it is no new password. */
  readonly currentPassword?: string;
}

/** zxcvbn's scale is 0–4; 3 is "safely unguessable" for an online attack (10^8 guesses). */
const MIN_SCORE = 3;
const NOT_PRINTABLE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

let estimator: ZxcvbnFactory | null = null;
/** Built on first use: the dictionaries take a moment to load, and most CLI commands never need them. */
const zxcvbn = (): ZxcvbnFactory =>
  (estimator ??= new ZxcvbnFactory({ dictionary: { ...commonDictionary, ...englishDictionary }, graphs: adjacencyGraphs, translations }));

const squash = (text: string): string => text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * §11.300: passwords an attacker would not guess. Checked before any hashing, by rule first (each
 * refusal with its own code) and then by the zxcvbn-ts estimate with its common-password lists.
 */
export const checkPasswordStrength = (
  password: unknown,
  policy: Pick<IdentityPolicy, 'passwordMinLength' | 'passwordMaxLength'>,
  owner: PasswordOwner = {},
): string => {
  if (typeof password !== 'string') return invalid('PASSWORD.REQUIRED', 'A password is required');
  const characters = [...password];
  if (characters.length < policy.passwordMinLength) {
    invalid('PASSWORD.TOO_SHORT', `A password has at least ${policy.passwordMinLength} characters`, { minLength: policy.passwordMinLength });
  }
  if (characters.length > policy.passwordMaxLength) {
    invalid('PASSWORD.TOO_LONG', `A password has at most ${policy.passwordMaxLength} characters`, { maxLength: policy.passwordMaxLength });
  }
  if (password.trim() === '') invalid('PASSWORD.BLANK', 'A password cannot be only spaces');
  if (NOT_PRINTABLE.test(password)) invalid('PASSWORD.CONTROL_CHARACTERS', 'A password cannot contain control characters or bidirectional overrides');
  if (new Set(characters).size === 1) invalid('PASSWORD.ONE_CHARACTER', 'A password cannot be one character repeated');
  const squashed = squash(password);
  if (owner.username && squashed.includes(squash(owner.username))) invalid('PASSWORD.CONTAINS_USERNAME', 'The new password contains the username of the account it is set for (not the signed-in user\'s)', { username: owner.username });
  if (owner.fullName && squash(owner.fullName).length > 0 && squashed.includes(squash(owner.fullName))) {
    invalid('PASSWORD.CONTAINS_NAME', 'The new password contains the full name of the account it is set for');
  }
  if (owner.currentPassword !== undefined && password !== owner.currentPassword && squash(password) === squash(owner.currentPassword)) {
    invalid('PASSWORD.CASE_VARIANT', 'The new password differs from the current one only in letter case or spacing');
  }
  const userInputs = [owner.username, ...(owner.fullName ?? '').split(/\s+/)].filter((word): word is string => typeof word === 'string' && word.length >= 3);
  const estimate = zxcvbn().check(password, userInputs);
  if (estimate.score < MIN_SCORE) {
    invalid('PASSWORD.TOO_WEAK', `The password is too easy to guess${estimate.feedback.warning ? `: ${estimate.feedback.warning}` : ''}`, {
      suggestions: estimate.feedback.suggestions,
    });
  }
  return password;
};
