import { Body, Controller, Get, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { QUERY_ROLES, SIGNATURE_ROLES, type Actor } from '@trial-ledger/domain';
import { SignatureService } from '@trial-ledger/identity';
import { IDEMPOTENT_REPLAYED_HEADER, IdempotencyKeyHeader, resolveIdempotencyKey } from '../../shared/http/idempotency-key';
import { ExpectedVersion, etagFor } from '../../shared/http/if-match';
import { ApiProblemException } from '../../shared/problem-details/api-problem.exception';
import type { HttpRequest, HttpResponse } from '../../shared/http/http.types';
import { SubjectPathParams } from '../../shared/routing/path-params.dto';
import { originOf } from '../client-origin';
import { CurrentActor, Roles } from '../roles.decorator';
import { SignRecordRequestDto } from './sign-record.request.dto';

/**
 * Electronic signatures on a subject's casebook (SPEC §5; Part 11 §11.50, §11.70, §11.200). The
 * role check per scope (casebook: investigator; record: coordinator, investigator, monitor) is the
 * identity service's, which records the refusal.
 */
@ApiTags('signatures')
@Controller('api/v1/studies/:studyId/subjects/:subjectId/signatures')
export class SignaturesHttpController {
  constructor(private readonly signatures: SignatureService) {}

  @Post()
  @Roles(...SIGNATURE_ROLES.SignRecord)
  @ApiOperation({
    operationId: 'SignCasebook',
    summary: 'Sign the casebook or one record (CasebookSigned / RecordSigned), re-entering the password',
    description:
      'Send If-Match with the subject stream version you reviewed (its ETag; required). Refusals: SIGNATURE.VERSION_REQUIRED (428); SIGNATURE.PASSWORD_INVALID, SIGNATURE.SIGNER_MISMATCH, ' +
      'AUTH.ROLE_NOT_ALLOWED, AUTH.ACCOUNT_LOCKED (403); SUBJECT.NOT_FOUND, SIGNATURE.TARGET_NOT_FOUND (404); CONCURRENCY.VERSION_CONFLICT (412); IDEMPOTENCY.KEY_REUSED (422). The same Idempotency-Key answers the first signature again.',
  })
  async sign(
    @CurrentActor() actor: Actor,
    @Param() path: SubjectPathParams,
    @Body() body: SignRecordRequestDto,
    @ExpectedVersion() expectedVersion: number | undefined,
    @IdempotencyKeyHeader() idempotencyKeyHeader: string | string[] | undefined,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ) {
    // Checked before the password is: a request that names no reviewed version is not a signing attempt.
    if (expectedVersion === undefined) {
      throw new ApiProblemException(
        'SIGNATURE.VERSION_REQUIRED',
        HttpStatus.PRECONDITION_REQUIRED,
        'Send If-Match with the ETag of the subject record you reviewed (If-Match: * names none): a signature binds to what the signer saw.',
        { header: 'If-Match' },
      );
    }
    const idempotencyKey = resolveIdempotencyKey(idempotencyKeyHeader, undefined);
    const result = await this.signatures.sign(actor, { ...body, studyId: path.studyId, subjectId: path.subjectId, expectedVersion, idempotencyKey }, originOf(request));
    response.status(201);
    if (result.repeated) response.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
    response.header('ETag', etagFor(result.streamVersion));
    return result;
  }

  @Get()
  @Roles(...QUERY_ROLES.ListSignatures)
  @ApiOperation({ operationId: 'ListSignatures', summary: "Every signature on the subject's casebook: signer, date-time, meaning, valid or superseded, binding intact" })
  async list(@Param() path: SubjectPathParams) {
    const signatures = await this.signatures.list(path.studyId, path.subjectId);
    const verified = await Promise.all(signatures.map(async (s) => ({ ...s, bindingIntact: (await this.signatures.verify(s.signatureEventId)).intact })));
    return { signatures: verified };
  }
}
