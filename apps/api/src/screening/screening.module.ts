import { Module } from '@nestjs/common';
import { HttpCommandSender } from '../shared/commands/http-command.sender';
import { ScreenSubjectCommandHandler } from './screen-subject/screen-subject.command-handler';
import { ScreenSubjectHttpController } from './screen-subject/screen-subject.http.controller';
import { AssessEligibilityCommandHandler } from './assess-eligibility/assess-eligibility.command-handler';
import { AssessEligibilityHttpController } from './assess-eligibility/assess-eligibility.http.controller';
import { EnrollSubjectCommandHandler } from './enroll-subject/enroll-subject.command-handler';
import { EnrollSubjectHttpController } from './enroll-subject/enroll-subject.http.controller';

const httpControllers = [ScreenSubjectHttpController, AssessEligibilityHttpController, EnrollSubjectHttpController];
const commandHandlers = [ScreenSubjectCommandHandler, AssessEligibilityCommandHandler, EnrollSubjectCommandHandler];

/** From screening to enrollment: consent, eligibility against the protocol criteria, the capped enrollment roster. */
@Module({ controllers: [...httpControllers], providers: [HttpCommandSender, ...commandHandlers] })
export class ScreeningModule {}
