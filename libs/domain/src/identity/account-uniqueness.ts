import { refuse } from '../shared/domain-error';
import { personNameKey, usernameSkeleton } from './identity-input';

/** Creation checks that one account does not pass for another, nor one person hold two (Part 11 §11.100(a), §11.300(a)). */
type Account = { readonly username: string; readonly fullName: string; readonly active: boolean };

/**
 * A new username that reads as an existing one (`a1ice` beside `alice`, `rnona` beside `mona`: the same confusable
 * skeleton) would let one account pass for another in every trail, signature and review that prints the username
 * (§11.100(a), §11.300(a)). Compared with every account, deactivated ones too, as usernames are never reused.
 */
export const requireNotConfusable = (accounts: readonly Account[], username: string): void => {
  const skeleton = usernameSkeleton(username);
  const other = accounts.find((u) => usernameSkeleton(u.username) === skeleton);
  if (other) {
    refuse('IDENTITY.USERNAME_CONFUSABLE', `The username ${JSON.stringify(username)} reads as the existing username ${JSON.stringify(other.username)} ("0" for "o", "1" for "l", "rn" for "m"): choose another`, {
      username,
      confusableWith: other.username,
    });
  }
};

/**
 * A new account under the printed name of an active one is, unless said otherwise, the same person's second
 * account: two identification codes for one individual (Part 11 §11.100(a), §11.300(a)), under which one person
 * could enter data as a coordinator and verify or sign it as a monitor — the separation of duties (`SDV.OWN_ENTRY`,
 * `QUERY.OWN_ENTRY`, `SIGNATURE.NOT_AUTHOR`, an administrator never holding a clinical role) judges by account.
 * Names are not unique, so another person of the same name is created when the administrator says so: the reason
 * given is recorded with the `UserCreated` event, and the audit-trail review lists every such account.
 */
export const requireNameNotInUse = (accounts: readonly Account[], fullName: string, reason: string | null | undefined): void => {
  if (typeof reason === 'string') return;
  const key = personNameKey(fullName);
  const holder = accounts.find((u) => u.active && personNameKey(u.fullName) === key);
  if (holder) {
    refuse(
      'IDENTITY.FULL_NAME_IN_USE',
      `The active account ${JSON.stringify(holder.username)} has the printed name ${JSON.stringify(holder.fullName)}: one person holds one account (change its role instead). For another person of the same name, give a reason saying so; it is recorded with the account`,
      { fullName: holder.fullName, username: holder.username },
    );
  }
};
