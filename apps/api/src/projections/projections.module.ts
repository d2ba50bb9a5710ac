import { Module } from '@nestjs/common';
import { GetCasebookHttpController } from './get-casebook/get-casebook.http.controller';
import { GetCasebookQueryHandler } from './get-casebook/get-casebook.query-handler';
import { GetStudyOverviewHttpController } from './get-study-overview/get-study-overview.http.controller';
import { GetStudyOverviewQueryHandler } from './get-study-overview/get-study-overview.query-handler';
import { ReadModelsRunner } from './read-models.runner';

const httpControllers = [GetCasebookHttpController, GetStudyOverviewHttpController];
const queryHandlers = [GetCasebookQueryHandler, GetStudyOverviewQueryHandler];
const readModels = [ReadModelsRunner];

/** The read models: casebooks replayed as known at any instant, and the study overview kept current by a subscription. */
@Module({ controllers: [...httpControllers], providers: [...readModels, ...queryHandlers], exports: [ReadModelsRunner] })
export class ProjectionsModule {}
