import { Controller } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { defineRoute } from '../../shared/routing/route-rule';
import { VerifyLedgerQuery, type LedgerVerificationReport } from './verify-ledger.query-handler';
import { QUERY_ROLES } from '@trial-ledger/domain';

export const VERIFY_LEDGER_ROUTE = defineRoute({
  operation: 'VerifyLedger',
  method: 'GET',
  path: 'api/v1/ledger/verification',
  roles: QUERY_ROLES.VerifyLedger,
  summary: 'Recompute the hash chain now and check the side records and defences: { ok, eventsChecked, headPosition, headHash, fault, sideRecords, warnings }',
});

@ApiTags('audit')
@Controller()
export class VerifyLedgerHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  /** 200 whatever the outcome: a damaged ledger is a finding to report (`ok: false`), not a failed request. */
  @LedgerRoute(VERIFY_LEDGER_ROUTE)
  @ApiOkResponse({ description: 'The verification result; `fault` names the first bad position and the damage, `sideRecords.faults` each side record the chain does not back, `warnings` each missing or altered defence (append-only triggers, role separation).' })
  verify(): Promise<LedgerVerificationReport> {
    return this.queryBus.execute(new VerifyLedgerQuery());
  }
}
