import { Module } from '@nestjs/common';
import { GetCasebookHttpController } from './get-casebook/get-casebook.http.controller';
import { GetCasebookQueryHandler } from './get-casebook/get-casebook.query-handler';
import { GetStudyOverviewHttpController } from './get-study-overview/get-study-overview.http.controller';
import { GetStudyOverviewQueryHandler } from './get-study-overview/get-study-overview.query-handler';
import { AuditTrailIndexService } from './audit-trail-index.service';
import { ReadModelsRunner } from './read-models.runner';

const httpControllers = [GetCasebookHttpController, GetStudyOverviewHttpController];
const queryHandlers = [GetCasebookQueryHandler, GetStudyOverviewQueryHandler];
const readModels = [ReadModelsRunner, AuditTrailIndexService];

/**
 * The read models: casebooks replayed as known at any instant, the study overview kept current by a
 * subscription, and the audit-trail index the trail's pages and downloads read.
 */
@Module({ controllers: [...httpControllers], providers: [...readModels, ...queryHandlers], exports: [ReadModelsRunner, AuditTrailIndexService] })
export class ProjectionsModule {}
