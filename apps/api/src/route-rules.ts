import { EXPORT_AUDIT_TRAIL_ROUTE } from './audit/export-audit-trail/export-audit-trail.http.controller';
import { EXPORT_ODM_ROUTE } from './audit/export-odm/export-odm.http.controller';
import { GET_AUDIT_TRAIL_ROUTE } from './audit/get-audit-trail/get-audit-trail.http.controller';
import { VERIFY_LEDGER_ROUTE } from './audit/verify-ledger/verify-ledger.http.controller';
import { GET_CONSISTENCY_PROOF_ROUTE } from './audit/get-consistency-proof/get-consistency-proof.http.controller';
import { GET_INCLUSION_PROOF_ROUTE } from './audit/get-inclusion-proof/get-inclusion-proof.http.controller';
import { CORRECT_ENTRY_ROUTE } from './corrections/correct-entry/correct-entry.http.controller';
import { VOID_ENTRY_ROUTE } from './corrections/void-entry/void-entry.http.controller';
import { DISCONTINUE_TREATMENT_ROUTE } from './disposition/discontinue-treatment/discontinue-treatment.http.controller';
import { REVIEW_AUDIT_TRAIL_ROUTE } from './audit/review-audit-trail/review-audit-trail.http.controller';
import { GET_PFS_DIFF_ROUTE } from './pfs/get-pfs-diff/get-pfs-diff.http.controller';
import { GET_PFS_PLOT_ROUTE } from './pfs/get-pfs-plot/get-pfs-plot.http.controller';
import { GET_PFS_ROUTE } from './pfs/get-pfs/get-pfs.http.controller';
import { GET_CASEBOOK_ROUTE } from './projections/get-casebook/get-casebook.http.controller';
import { GET_STUDY_OVERVIEW_ROUTE } from './projections/get-study-overview/get-study-overview.http.controller';
import { RECORD_DEATH_ROUTE } from './disposition/record-death/record-death.http.controller';
import { WITHDRAW_SUBJECT_ROUTE } from './disposition/withdraw-subject/withdraw-subject.http.controller';
import { RECORD_DOSE_ROUTE } from './dosing/record-dose/record-dose.http.controller';
import { RECORD_MISSED_DOSE_ROUTE } from './dosing/record-missed-dose/record-missed-dose.http.controller';
import { RECORD_CLINICAL_PROGRESSION_ROUTE } from './efficacy/record-clinical-progression/record-clinical-progression.http.controller';
import { RECORD_NEW_ANTICANCER_THERAPY_ROUTE } from './efficacy/record-new-anticancer-therapy/record-new-anticancer-therapy.http.controller';
import { RECORD_TUMOR_ASSESSMENT_ROUTE } from './efficacy/record-tumor-assessment/record-tumor-assessment.http.controller';
import { RECORD_DEVIATION_ROUTE } from './safety/record-deviation/record-deviation.http.controller';
import { REPORT_ADVERSE_EVENT_ROUTE } from './safety/report-adverse-event/report-adverse-event.http.controller';
import { RECORD_ADVERSE_EVENT_OUTCOME_ROUTE } from './safety/record-adverse-event-outcome/record-adverse-event-outcome.http.controller';
import { ASSESS_ELIGIBILITY_ROUTE } from './screening/assess-eligibility/assess-eligibility.http.controller';
import { ENROLL_SUBJECT_ROUTE } from './screening/enroll-subject/enroll-subject.http.controller';
import { SCREEN_SUBJECT_ROUTE } from './screening/screen-subject/screen-subject.http.controller';
import { GET_QUERY_ROUTE, LIST_QUERIES_ROUTE } from './monitoring/list-queries/list-queries.http.controller';
import { OPEN_QUERY_ROUTE } from './monitoring/open-query/open-query.http.controller';
import { CANCEL_QUERY_ROUTE, CLOSE_QUERY_ROUTE, REOPEN_QUERY_ROUTE } from './monitoring/query-transitions/query-transitions.http.controller';
import { RESPOND_TO_QUERY_ROUTE } from './monitoring/respond-to-query/respond-to-query.http.controller';
import { GET_SOURCE_VERIFICATIONS_ROUTE, VERIFY_SOURCE_ROUTE } from './monitoring/verify-source/verify-source.http.controller';
import type { RouteRule } from './shared/routing/route-rule';
import { AMEND_PROTOCOL_ROUTE } from './studies/amend-protocol/amend-protocol.http.controller';
import { GET_STUDY_EVENTS_ROUTE } from './studies/get-study-events/get-study-events.http.controller';
import { GET_STUDY_ROUTE } from './studies/get-study/get-study.http.controller';
import { LOCK_STUDY_ROUTE } from './studies/lock-study/lock-study.http.controller';
import { REGISTER_STUDY_ROUTE } from './studies/register-study/register-study.http.controller';
import { UNLOCK_STUDY_ROUTE } from './studies/unlock-study/unlock-study.http.controller';
import { GET_SUBJECT_EVENTS_ROUTE } from './subjects/get-subject-events/get-subject-events.http.controller';
import { GET_SUBJECT_ROUTE } from './subjects/get-subject/get-subject.http.controller';

/**
 * The authorization table of the ledger's commands and queries (SPEC §5): method, path and the roles
 * allowed, one row per route, in the order of a subject's life. The same objects configure the routes
 * (`@LedgerRoute`), so this list cannot drift from what is served; `route-rules.e2e-spec.ts` checks
 * that every `/api/v1` route outside identity's own controllers is listed here. Identity's routes
 * (`/api/v1/auth`, `/api/v1/users`, signatures) carry their roles with `@Roles()`.
 */
export const ROUTE_RULES: readonly RouteRule[] = [
  REGISTER_STUDY_ROUTE,
  AMEND_PROTOCOL_ROUTE,
  LOCK_STUDY_ROUTE,
  UNLOCK_STUDY_ROUTE,
  GET_STUDY_ROUTE,
  GET_STUDY_EVENTS_ROUTE,
  SCREEN_SUBJECT_ROUTE,
  ASSESS_ELIGIBILITY_ROUTE,
  ENROLL_SUBJECT_ROUTE,
  RECORD_DOSE_ROUTE,
  RECORD_MISSED_DOSE_ROUTE,
  RECORD_TUMOR_ASSESSMENT_ROUTE,
  RECORD_CLINICAL_PROGRESSION_ROUTE,
  RECORD_NEW_ANTICANCER_THERAPY_ROUTE,
  REPORT_ADVERSE_EVENT_ROUTE,
  RECORD_ADVERSE_EVENT_OUTCOME_ROUTE,
  RECORD_DEVIATION_ROUTE,
  DISCONTINUE_TREATMENT_ROUTE,
  WITHDRAW_SUBJECT_ROUTE,
  RECORD_DEATH_ROUTE,
  CORRECT_ENTRY_ROUTE,
  VOID_ENTRY_ROUTE,
  GET_SUBJECT_ROUTE,
  GET_SUBJECT_EVENTS_ROUTE,
  GET_CASEBOOK_ROUTE,
  GET_STUDY_OVERVIEW_ROUTE,
  GET_PFS_ROUTE,
  GET_PFS_PLOT_ROUTE,
  GET_PFS_DIFF_ROUTE,
  GET_AUDIT_TRAIL_ROUTE,
  REVIEW_AUDIT_TRAIL_ROUTE,
  VERIFY_LEDGER_ROUTE,
  GET_INCLUSION_PROOF_ROUTE,
  GET_CONSISTENCY_PROOF_ROUTE,
  EXPORT_ODM_ROUTE,
  EXPORT_AUDIT_TRAIL_ROUTE,
  OPEN_QUERY_ROUTE,
  RESPOND_TO_QUERY_ROUTE,
  CLOSE_QUERY_ROUTE,
  REOPEN_QUERY_ROUTE,
  CANCEL_QUERY_ROUTE,
  LIST_QUERIES_ROUTE,
  GET_QUERY_ROUTE,
  VERIFY_SOURCE_ROUTE,
  GET_SOURCE_VERIFICATIONS_ROUTE,
];

/** Routes that need no token: probes and the API's own documentation; they disclose no ledger data. */
export const PUBLIC_ROUTES: readonly { readonly method: 'GET'; readonly path: string }[] = [
  { method: 'GET', path: 'health' },
  { method: 'GET', path: 'api/docs' },
  { method: 'GET', path: 'api/docs-json' },
];
