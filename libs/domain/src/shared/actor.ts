/** The five roles of SPEC §5. `admin` manages users and study set-up and never clinical data. */
export const ROLES = ['coordinator', 'investigator', 'monitor', 'regulator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/**
 * Who did it (Part 11 §11.10(e): the audit trail records the operator). Copied into every event's
 * metadata so the trail stays readable even after the user's name or role changes.
 */
export interface Actor {
  readonly userId: string;
  readonly username: string;
  readonly fullName: string;
  readonly role: Role;
}

/** The system itself, for events no person caused directly (automatic checkpoints, migrations). */
export const SYSTEM_ACTOR: Actor = { userId: 'system', username: 'system', fullName: 'trial-ledger system', role: 'admin' };

/**
 * A person as every human-readable view names them: the printed full name with the unique username
 * beside it, since two users may share a full name (Part 11 §11.10(e), §11.50(a)(1)); the role too
 * where the view shows it. `Dr Ivy Lee (ivy.lee, investigator)`, or `Dr Ivy Lee (ivy.lee)`.
 */
export const personInWords = (person: { readonly fullName: string; readonly username: string; readonly role?: string }): string =>
  `${person.fullName} (${person.role === undefined ? person.username : `${person.username}, ${person.role}`})`;

/** A count with its noun in the number it takes: `1 subject`, `2 subjects`, `1 open query`, `2 open queries`. */
export const counted = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
