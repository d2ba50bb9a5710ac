import { Body, Controller, Get, HttpStatus, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { attestationOnDamagedLedger } from '@trial-ledger/audit';
import { QUERY_ROLES, SIGNATURE_ROLES, type Actor } from '@trial-ledger/domain';
import { SignatureService } from '@trial-ledger/identity';
import { IDEMPOTENT_REPLAYED_HEADER, IdempotencyKeyHeader, resolveIdempotencyKey } from '../../shared/http/idempotency-key';
import { ExpectedVersion, etagFor } from '../../shared/http/if-match';
import { ApiProblemException } from '../../shared/problem-details/api-problem.exception';
import type { HttpRequest, HttpResponse } from '../../shared/http/http.types';
import { SubjectPathParams } from '../../shared/routing/path-params.dto';
import { API_OPTIONS, type ApiModuleOptions } from '../../shared/tokens';
import { ApiProblemResponses, BODY_PROBLEMS, RATE_LIMIT_PROBLEM, SESSION_PROBLEMS, STORE_PROBLEM } from '../../shared/routing/problem-responses';
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
  constructor(
    private readonly signatures: SignatureService,
    @Inject(API_OPTIONS) private readonly options: ApiModuleOptions,
  ) {}

  @Post()
  @Roles(...SIGNATURE_ROLES.SignRecord)
  @ApiOperation({
    operationId: 'SignCasebook',
    summary: 'Sign the casebook or one record (CasebookSigned / RecordSigned), re-entering the password',
    description:
      'Send If-Match with the subject stream version you reviewed (its ETag; required). A monitor signs with the meaning review only; authorship is signed only by whoever recorded what is signed. ' +
      'Refusals: SIGNATURE.VERSION_REQUIRED (428); SIGNATURE.PASSWORD_INVALID, SIGNATURE.SIGNER_MISMATCH, ' +
      'AUTH.ROLE_NOT_ALLOWED, AUTH.ACCOUNT_LOCKED, SIGNATURE.NOT_AUTHOR, SIGNATURE.OWN_ENTRY (403); SUBJECT.NOT_FOUND, SIGNATURE.TARGET_NOT_FOUND (404); STUDY.LOCKED, SIGNATURE.TARGET_VOIDED, SIGNATURE.TARGET_NOT_SIGNABLE, LEDGER.TAMPERED (409); CONCURRENCY.VERSION_CONFLICT (412); IDEMPOTENCY.KEY_REUSED (422). The same Idempotency-Key answers the first signature again.',
  })
  @ApiCreatedResponse({
    description:
      'The signature recorded (ETag: the subject stream version after it; Idempotent-Replayed: true when a repeated key answers the first one): { signatureEventId, type (CasebookSigned | RecordSigned), studyId, subjectId, signerUserId, signerUsername, signerFullName, signedAt, meaning, signedThroughVersion, signedHash, targetEventId (null: the casebook), streamVersion, repeated }',
  })
  @ApiHeader({ name: 'If-Match', required: true, description: 'The ETag of the subject record you reviewed (e.g. "12"): the signature binds to that version. Without it, or with *, 428; stale, 412.' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: "Makes a retry safe: the same key from the same user answers the first signature again (Idempotent-Replayed: true); with another body it is refused (422)." })
  @ApiHeader({ name: 'X-Correlation-Id', required: false, description: 'Ties several commands to one workflow in the audit trail.' })
  @ApiProblemResponses([
    [400, 'VALIDATION.FAILED (with `errors`), REQUEST.MALFORMED_JSON, SIGNATURE.MEANING_INVALID, SIGNATURE.SCOPE_INVALID, REQUEST.INVALID_IF_MATCH, REQUEST.INVALID_IDEMPOTENCY_KEY'],
    ...BODY_PROBLEMS.filter(([status]) => status !== 400),
    [401, 'AUTH.UNAUTHENTICATED, AUTH.TOKEN_INVALID or AUTH.SESSION_EXPIRED: no, an unknown or an expired bearer token'],
    [403, 'SIGNATURE.PASSWORD_INVALID, SIGNATURE.SIGNER_MISMATCH, AUTH.ROLE_NOT_ALLOWED (also a monitor signing with another meaning than review), AUTH.ACCOUNT_LOCKED, SIGNATURE.NOT_AUTHOR (authorship of data another user recorded), SIGNATURE.OWN_ENTRY (a monitor\'s review of a record they recorded)'],
    [404, 'SUBJECT.NOT_FOUND, SIGNATURE.TARGET_NOT_FOUND'],
    [409, 'STUDY.LOCKED: the study is locked; SIGNATURE.TARGET_VOIDED, SIGNATURE.TARGET_NOT_SIGNABLE: the record named cannot be signed; LEDGER.TAMPERED: the server has found damage in its ledger (position: the first damaged one), nothing is signed'],
    [412, 'CONCURRENCY.VERSION_CONFLICT: the record changed since the version you reviewed'],
    [422, 'IDEMPOTENCY.KEY_REUSED: the Idempotency-Key was used with another request'],
    [428, 'SIGNATURE.VERSION_REQUIRED: no If-Match naming the reviewed version'],
    RATE_LIMIT_PROBLEM,
    STORE_PROBLEM,
  ])
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
    // A signature binds the hash of what the signer reviewed: over a ledger found damaged that may not be what
    // was recorded. Refused before the password is checked, so nothing is written.
    const damage = this.options.ledgerIntegrity?.damage;
    if (damage) throw attestationOnDamagedLedger(damage, 'an electronic signature');
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
  @ApiOkResponse({
    description:
      '{ signatures: [{ signatureEventId, type, studyId, subjectId, scope, signerUserId, signerUsername, signerFullName, signedAt, meaning, signedThroughVersion, signedHash, signedEventHash, hashAlgorithm, status (valid | superseded), supersededBy, bindingIntact }] }',
  })
  @ApiProblemResponses([[400, 'VALIDATION.FAILED: an undeclared query parameter or a malformed path parameter'], ...SESSION_PROBLEMS, [404, 'SUBJECT.NOT_FOUND'], STORE_PROBLEM])
  async list(@Param() path: SubjectPathParams) {
    const signatures = await this.signatures.list(path.studyId, path.subjectId);
    const verified = await Promise.all(signatures.map(async (s) => ({ ...s, bindingIntact: (await this.signatures.verify(s.signatureEventId)).intact })));
    return { signatures: verified };
  }
}
