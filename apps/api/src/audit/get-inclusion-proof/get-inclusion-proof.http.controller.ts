import { Controller, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { InclusionAnswer } from '@trial-ledger/audit';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { defineRoute } from '../../shared/routing/route-rule';
import { QUERY_ROLES } from '@trial-ledger/domain';
import { GetInclusionProofQuery } from './get-inclusion-proof.query-handler';
import { GetInclusionProofQueryDto } from './get-inclusion-proof.request.dto';

/** The proof carries the event itself (clinical data), so only those who read the whole ledger may ask. */
export const GET_INCLUSION_PROOF_ROUTE = defineRoute({
  operation: 'GetInclusionProof',
  method: 'GET',
  path: 'api/v1/proofs/inclusion',
  roles: QUERY_ROLES.GetInclusionProof,
  summary: 'RFC 9162 inclusion proof of one event in the Merkle tree of the first treeSize events (default: all)',
});

@ApiTags('audit')
@Controller()
export class GetInclusionProofHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @LedgerRoute(GET_INCLUSION_PROOF_ROUTE)
  @ApiOkResponse({ description: '{ event, redacted, leafIndex, treeSize, rootHash, leafHash, proof } (hashes base64); check rootHash against a signed tree head.' })
  getInclusionProof(@Query() query: GetInclusionProofQueryDto): Promise<InclusionAnswer> {
    return this.queryBus.execute(new GetInclusionProofQuery(query.eventId, query.treeSize === undefined ? undefined : Number(query.treeSize)));
  }
}
