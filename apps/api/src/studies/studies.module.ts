import { Module } from '@nestjs/common';
import { HttpCommandSender } from '../shared/commands/http-command.sender';
import { RegisterStudyCommandHandler } from './register-study/register-study.command-handler';
import { RegisterStudyHttpController } from './register-study/register-study.http.controller';
import { AmendProtocolCommandHandler } from './amend-protocol/amend-protocol.command-handler';
import { AmendProtocolHttpController } from './amend-protocol/amend-protocol.http.controller';
import { LockStudyCommandHandler } from './lock-study/lock-study.command-handler';
import { LockStudyHttpController } from './lock-study/lock-study.http.controller';
import { UnlockStudyCommandHandler } from './unlock-study/unlock-study.command-handler';
import { UnlockStudyHttpController } from './unlock-study/unlock-study.http.controller';
import { GetStudyHttpController } from './get-study/get-study.http.controller';
import { GetStudyQueryHandler } from './get-study/get-study.query-handler';
import { GetStudyEventsHttpController } from './get-study-events/get-study-events.http.controller';
import { GetStudyEventsQueryHandler } from './get-study-events/get-study-events.query-handler';

const httpControllers = [RegisterStudyHttpController, AmendProtocolHttpController, LockStudyHttpController, UnlockStudyHttpController, GetStudyHttpController, GetStudyEventsHttpController];
const commandHandlers = [RegisterStudyCommandHandler, AmendProtocolCommandHandler, LockStudyCommandHandler, UnlockStudyCommandHandler];
const queryHandlers = [GetStudyQueryHandler, GetStudyEventsQueryHandler];

/** Study set-up (admin): registration with the protocol document, amendments, database lock; and the study read side. */
@Module({ controllers: [...httpControllers], providers: [HttpCommandSender, ...commandHandlers, ...queryHandlers] })
export class StudiesModule {}
