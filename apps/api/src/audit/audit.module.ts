import { Module } from '@nestjs/common';
import { ProjectionsModule } from '../projections/projections.module';
import { ExportAuditTrailHttpController } from './export-audit-trail/export-audit-trail.http.controller';
import { ExportOdmHttpController } from './export-odm/export-odm.http.controller';
import { GetAuditTrailHttpController } from './get-audit-trail/get-audit-trail.http.controller';
import { GetAuditTrailQueryHandler } from './get-audit-trail/get-audit-trail.query-handler';
import { ReviewAuditTrailHttpController } from './review-audit-trail/review-audit-trail.http.controller';
import { ReviewAuditTrailQueryHandler } from './review-audit-trail/review-audit-trail.query-handler';
import { VerifyLedgerHttpController } from './verify-ledger/verify-ledger.http.controller';
import { VerifyLedgerQueryHandler } from './verify-ledger/verify-ledger.query-handler';
import { GetConsistencyProofHttpController } from './get-consistency-proof/get-consistency-proof.http.controller';
import { GetConsistencyProofQueryHandler } from './get-consistency-proof/get-consistency-proof.query-handler';
import { GetInclusionProofHttpController } from './get-inclusion-proof/get-inclusion-proof.http.controller';
import { GetInclusionProofQueryHandler } from './get-inclusion-proof/get-inclusion-proof.query-handler';

const httpControllers = [GetAuditTrailHttpController, VerifyLedgerHttpController, ExportOdmHttpController, ExportAuditTrailHttpController, ReviewAuditTrailHttpController];
const queryHandlers = [GetAuditTrailQueryHandler, VerifyLedgerQueryHandler, ReviewAuditTrailQueryHandler];
const proofHttpControllers = [GetInclusionProofHttpController, GetConsistencyProofHttpController];
const proofQueryHandlers = [GetInclusionProofQueryHandler, GetConsistencyProofQueryHandler];

/** Auditor and regulator tooling (Part 11 §11.10(b)(e)): the audit trail, verification and exports, read-only. */
@Module({ imports: [ProjectionsModule], controllers: [...httpControllers, ...proofHttpControllers], providers: [...queryHandlers, ...proofQueryHandlers] })
export class AuditModule {}
