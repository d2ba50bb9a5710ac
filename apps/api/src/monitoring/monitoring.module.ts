import { Module } from '@nestjs/common';
import { HttpCommandSender } from '../shared/commands/http-command.sender';
import { GetQueryQueryHandler, ListQueriesQueryHandler } from './list-queries/list-queries.query-handler';
import { ListQueriesHttpController } from './list-queries/list-queries.http.controller';
import { MonitoringCommandHandler } from './monitoring-command.handler';
import { OpenQueryHttpController } from './open-query/open-query.http.controller';
import { QueryTransitionsHttpController } from './query-transitions/query-transitions.http.controller';
import { RespondToQueryHttpController } from './respond-to-query/respond-to-query.http.controller';
import { GetSourceVerificationsQueryHandler } from './verify-source/verify-source.query-handler';
import { VerifySourceHttpController } from './verify-source/verify-source.http.controller';

const httpControllers = [OpenQueryHttpController, RespondToQueryHttpController, QueryTransitionsHttpController, ListQueriesHttpController, VerifySourceHttpController];
const commandHandlers = [MonitoringCommandHandler];
const queryHandlers = [ListQueriesQueryHandler, GetQueryQueryHandler, GetSourceVerificationsQueryHandler];

/** Monitor queries (discrepancy notes) and source data verification. */
@Module({ controllers: [...httpControllers], providers: [HttpCommandSender, ...commandHandlers, ...queryHandlers] })
export class MonitoringModule {}
