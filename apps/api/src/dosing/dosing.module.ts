import { Module } from '@nestjs/common';
import { HttpCommandSender } from '../shared/commands/http-command.sender';
import { RecordDoseCommandHandler } from './record-dose/record-dose.command-handler';
import { RecordDoseHttpController } from './record-dose/record-dose.http.controller';
import { RecordMissedDoseCommandHandler } from './record-missed-dose/record-missed-dose.command-handler';
import { RecordMissedDoseHttpController } from './record-missed-dose/record-missed-dose.http.controller';

const httpControllers = [RecordDoseHttpController, RecordMissedDoseHttpController];
const commandHandlers = [RecordDoseCommandHandler, RecordMissedDoseCommandHandler];

/** Study drug administration and the protocol deviations it reveals. */
@Module({ controllers: [...httpControllers], providers: [HttpCommandSender, ...commandHandlers] })
export class DosingModule {}
