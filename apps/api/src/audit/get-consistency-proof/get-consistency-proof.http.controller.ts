import { Controller, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { QUERY_ROLES } from '@trial-ledger/domain';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { defineRoute } from '../../shared/routing/route-rule';
import { GetConsistencyProofQuery, type ConsistencyAnswer } from './get-consistency-proof.query-handler';
import { GetConsistencyProofQueryDto } from './get-consistency-proof.request.dto';

export const GET_CONSISTENCY_PROOF_ROUTE = defineRoute({
  operation: 'GetConsistencyProof',
  method: 'GET',
  path: 'api/v1/proofs/consistency',
  roles: QUERY_ROLES.GetConsistencyProof,
  summary: 'RFC 9162 consistency proof that the tree of `to` events extends the tree of `from` events',
});

@ApiTags('audit')
@Controller()
export class GetConsistencyProofHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @LedgerRoute(GET_CONSISTENCY_PROOF_ROUTE)
  @ApiOkResponse({ description: '{ fromSize, toSize, fromRoot, toRoot, proof } (hashes base64).' })
  getConsistencyProof(@Query() query: GetConsistencyProofQueryDto): Promise<ConsistencyAnswer> {
    return this.queryBus.execute(new GetConsistencyProofQuery(Number(query.from), query.to === undefined ? undefined : Number(query.to)));
  }
}
