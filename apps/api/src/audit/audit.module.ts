import { Module } from '@nestjs/common';
import { ExportAuditTrailHttpController } from './export-audit-trail/export-audit-trail.http.controller';
import { ExportOdmHttpController } from './export-odm/export-odm.http.controller';
import { GetAuditTrailHttpController } from './get-audit-trail/get-audit-trail.http.controller';
import { GetAuditTrailQueryHandler } from './get-audit-trail/get-audit-trail.query-handler';
import { ReviewAuditTrailHttpController } from './review-audit-trail/review-audit-trail.http.controller';
import { ReviewAuditTrailQueryHandler } from './review-audit-trail/review-audit-trail.query-handler';
import { VerifyLedgerHttpController } from './verify-ledger/verify-ledger.http.controller';
import { VerifyLedgerQueryHandler } from './verify-ledger/verify-ledger.query-handler';

const httpControllers = [GetAuditTrailHttpController, VerifyLedgerHttpController, ExportOdmHttpController, ExportAuditTrailHttpController, ReviewAuditTrailHttpController];
const queryHandlers = [GetAuditTrailQueryHandler, VerifyLedgerQueryHandler, ReviewAuditTrailQueryHandler];

/** Auditor and regulator tooling (Part 11 §11.10(b)(e)): the audit trail, verification and exports, read-only. */
@Module({ controllers: [...httpControllers], providers: [...queryHandlers] })
export class AuditModule {}
