import { Module } from '@nestjs/common';
import { GetSubjectHttpController } from './get-subject/get-subject.http.controller';
import { GetSubjectQueryHandler } from './get-subject/get-subject.query-handler';
import { GetSubjectEventsHttpController } from './get-subject-events/get-subject-events.http.controller';
import { GetSubjectEventsQueryHandler } from './get-subject-events/get-subject-events.query-handler';

const httpControllers = [GetSubjectHttpController, GetSubjectEventsHttpController];
const queryHandlers = [GetSubjectQueryHandler, GetSubjectEventsQueryHandler];

/** The subject read side: the current casebook and the stream's history. */
@Module({ controllers: [...httpControllers], providers: [...queryHandlers] })
export class SubjectsModule {}
