import type { Role } from '@trial-ledger/domain';

/**
 * Who reads the audit trail, verifies the ledger and takes exports (SPEC §5): monitors (auditors) and
 * regulators. Admins manage users and set-up and never see clinical data; site staff read their
 * subjects through the casebook views, not the whole ledger.
 */
export const AUDIT_READ_ROLES: readonly Role[] = ['monitor', 'regulator'];
