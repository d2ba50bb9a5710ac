import { Module } from '@nestjs/common';
import { HttpCommandSender } from '../shared/commands/http-command.sender';
import { DiscontinueTreatmentCommandHandler } from './discontinue-treatment/discontinue-treatment.command-handler';
import { DiscontinueTreatmentHttpController } from './discontinue-treatment/discontinue-treatment.http.controller';
import { WithdrawSubjectCommandHandler } from './withdraw-subject/withdraw-subject.command-handler';
import { WithdrawSubjectHttpController } from './withdraw-subject/withdraw-subject.http.controller';
import { RecordDeathCommandHandler } from './record-death/record-death.command-handler';
import { RecordDeathHttpController } from './record-death/record-death.http.controller';

const httpControllers = [DiscontinueTreatmentHttpController, WithdrawSubjectHttpController, RecordDeathHttpController];
const commandHandlers = [DiscontinueTreatmentCommandHandler, WithdrawSubjectCommandHandler, RecordDeathCommandHandler];

/** How a subject's participation ends. */
@Module({ controllers: [...httpControllers], providers: [HttpCommandSender, ...commandHandlers] })
export class DispositionModule {}
