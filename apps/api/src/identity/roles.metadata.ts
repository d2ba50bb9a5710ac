/** Metadata key of `@Roles(...)`: the roles allowed on a route. */
export const ROLES_METADATA = 'trial-ledger:roles';
