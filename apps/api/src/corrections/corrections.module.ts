import { Module } from '@nestjs/common';
import { HttpCommandSender } from '../shared/commands/http-command.sender';
import { CorrectEntryCommandHandler } from './correct-entry/correct-entry.command-handler';
import { CorrectEntryHttpController } from './correct-entry/correct-entry.http.controller';
import { VoidEntryCommandHandler } from './void-entry/void-entry.command-handler';
import { VoidEntryHttpController } from './void-entry/void-entry.http.controller';

const httpControllers = [CorrectEntryHttpController, VoidEntryHttpController];
const commandHandlers = [CorrectEntryCommandHandler, VoidEntryCommandHandler];

/** Part 11 §11.10(e): corrections and voids as new events; the original entries stay untouched. */
@Module({ controllers: [...httpControllers], providers: [HttpCommandSender, ...commandHandlers] })
export class CorrectionsModule {}
