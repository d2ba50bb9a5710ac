import type { WithdrawalReason } from '@trial-ledger/domain';
import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { ClinicalDate, OneOf } from '../../shared/validation/field.decorators';

const WITHDRAWAL_REASONS: readonly WithdrawalReason[] = ['consent-withdrawn', 'lost-to-follow-up', 'investigator-decision', 'other'];

/** `WithdrawSubject`: the subject leaves the study; no further clinical data are accepted. */
export class WithdrawSubjectRequestDto extends CommandRequestDto {
  @ClinicalDate('Date of withdrawal.')
  withdrawalDate!: string;

  @OneOf(WITHDRAWAL_REASONS, 'Reason for withdrawal.')
  reason!: WithdrawalReason;
}
