import { Module } from '@nestjs/common';
import { GetPfsHttpController } from './get-pfs/get-pfs.http.controller';
import { GetPfsQueryHandler } from './get-pfs/get-pfs.query-handler';
import { GetPfsPlotHttpController } from './get-pfs-plot/get-pfs-plot.http.controller';

const httpControllers = [GetPfsHttpController, GetPfsPlotHttpController];
const queryHandlers = [GetPfsQueryHandler];

/** The primary endpoint: progression-free survival, its Kaplan–Meier analysis and curve. */
@Module({ controllers: [...httpControllers], providers: [...queryHandlers] })
export class PfsModule {}
