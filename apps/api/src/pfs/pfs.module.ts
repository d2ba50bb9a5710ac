import { Module } from '@nestjs/common';
import { ProjectionsModule } from '../projections/projections.module';
import { GetPfsHttpController } from './get-pfs/get-pfs.http.controller';
import { GetPfsQueryHandler } from './get-pfs/get-pfs.query-handler';
import { GetPfsPlotHttpController } from './get-pfs-plot/get-pfs-plot.http.controller';
import { GetPfsDiffHttpController } from './get-pfs-diff/get-pfs-diff.http.controller';
import { GetPfsDiffQueryHandler } from './get-pfs-diff/get-pfs-diff.query-handler';

const httpControllers = [GetPfsHttpController, GetPfsPlotHttpController, GetPfsDiffHttpController];
const queryHandlers = [GetPfsQueryHandler, GetPfsDiffQueryHandler];

/** The primary endpoint: progression-free survival, its Kaplan–Meier analysis and curve. */
@Module({ imports: [ProjectionsModule], controllers: [...httpControllers], providers: [...queryHandlers] })
export class PfsModule {}
