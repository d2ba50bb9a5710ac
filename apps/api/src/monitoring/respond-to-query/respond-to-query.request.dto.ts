import { QUERY_RESPONSE_CATEGORIES, type QueryResponseCategory } from '@trial-ledger/domain';
import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { OneOf, Text } from '../../shared/validation/field.decorators';

/** `RespondToQuery`: the site's answer and its category. */
export class RespondToQueryRequestDto extends CommandRequestDto {
  @Text('The answer to the query.', 2000, 'Checked against the pharmacy log: the entry was wrong and has been corrected.')
  text!: string;

  @OneOf(QUERY_RESPONSE_CATEGORIES, 'What the answer amounts to.')
  category!: QueryResponseCategory;
}
