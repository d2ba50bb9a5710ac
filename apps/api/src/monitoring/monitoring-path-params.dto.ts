import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { QUERY_ID } from '@trial-ledger/domain';
import { StudyPathParams } from '../shared/routing/path-params.dto';

export class QueryPathParams extends StudyPathParams {
  @ApiProperty({ example: '019acb2e5b7e7c0f9a4d3c2b1a098765', pattern: QUERY_ID.source, description: 'The query id the server assigned (32 hex digits).' })
  @Matches(QUERY_ID, { message: '$property must be 32 lower-case hexadecimal digits' })
  queryId!: string;
}
