import {
  findUser,
  findUserById,
  invalid,
  isSignatureMeaning,
  normaliseUsername,
  signatureCommandType,
  signatureRoles,
  signatureStatus,
  subjectStreamId,
  type Actor,
  type SignatureMeaning,
  type SignatureScope,
  type SignatureState,
  type UserAccount,
} from '@trial-ledger/domain';
import { answerRecorded, handleCommand, requestFingerprint, signatureCommandPlan, toRecorded, type SignatureEvent } from '@trial-ledger/command-pipeline';
import type { AuthorizationLog } from './authorization-log';
import type { IdentityLedger } from './identity-ledger';
import { signedHashOf, verifySignature, type SignatureVerification } from './signature-hash';
import { actorOf, type RequestOrigin } from './user-view';

export interface SignRecordRequest {
  /** The signer re-enters both components at every signing (§11.200(a)(1)). */
  readonly username: string;
  readonly password: string;
  readonly meaning: SignatureMeaning;
  readonly studyId: string;
  readonly subjectId: string;
  readonly scope: SignatureScope;
  /** The subject stream version the signer reviewed (the `ETag` they saw): required; refused if it moved. */
  readonly expectedVersion: number;
  /** Like every command's: the same key answers the first signature again instead of signing twice. */
  readonly idempotencyKey?: string | null;
}

export interface SignatureResult {
  readonly signatureEventId: string;
  readonly type: 'CasebookSigned' | 'RecordSigned';
  readonly studyId: string;
  readonly subjectId: string;
  readonly signerUserId: string;
  readonly signerUsername: string;
  readonly signerFullName: string;
  readonly signedAt: string;
  readonly meaning: SignatureMeaning;
  readonly signedThroughVersion: number;
  readonly signedHash: string;
  readonly targetEventId: string | null;
  /** The subject stream's version after the signature (the new `ETag`). */
  readonly streamVersion: number;
  /** True when an earlier request with the same idempotency key is answered again; nothing was signed. */
  readonly repeated: boolean;
}

/**
 * Electronic signatures (SPEC §5; Part 11 §11.50, §11.70, §11.200): the identity half (`VerifySigner`
 * on the identity stream: the session user re-enters username and password) and the record half
 * (the pipeline's signature plan on the subject stream).
 */
export class SignatureService {
  constructor(
    private readonly ledger: IdentityLedger,
    private readonly authorization: AuthorizationLog,
  ) {}

  /**
   * Executes an electronic signature: the signature event binds the printed name, UTC date-time,
   * meaning and the hash of exactly the content signed. A failed attempt writes nothing on the
   * subject; it is recorded in the identity stream, counted towards lockout and reported in the
   * security log at once. The request's shape is checked first, so that a malformed request is
   * never counted as a failed password.
   */
  async sign(actor: Actor, request: SignRecordRequest, origin: RequestOrigin = { source: 'api' }): Promise<SignatureResult> {
    const studyId = typeof request.studyId === 'string' ? request.studyId : invalid('SIGNATURE.REQUEST_INVALID', 'studyId is required');
    const subjectId = typeof request.subjectId === 'string' ? request.subjectId : invalid('SIGNATURE.REQUEST_INVALID', 'subjectId is required');
    if (!isSignatureMeaning(request.meaning)) invalid('SIGNATURE.MEANING_INVALID', 'The meaning is one of authorship, review, approval, responsibility', { meaning: request.meaning });
    const scope = request.scope;
    if (scope !== 'casebook' && !(scope && typeof scope === 'object' && typeof scope.eventId === 'string')) {
      invalid('SIGNATURE.SCOPE_INVALID', 'The scope is "casebook" or { "eventId": … }');
    }
    // Part 11 §11.70: a signature binds to what the signer reviewed. Without the version they saw, it
    // would bind to whatever the casebook holds when the request arrives, entries added since included.
    const reviewed = request.expectedVersion;
    if (typeof reviewed !== 'number' || !Number.isSafeInteger(reviewed) || reviewed < 0) {
      invalid('SIGNATURE.VERSION_REQUIRED', 'A signature names the version of the subject record the signer reviewed (its ETag, sent as If-Match)');
    }
    const type = signatureCommandType(scope);
    // A monitor signs records as reviewed only: another meaning is a role refusal, recorded like any other.
    await this.authorization.authorize(actor, signatureRoles(type, request.meaning), type, origin.source);

    const state = await this.ledger.state();
    const user = findUserById(state, actor.userId);
    const sameSigner = typeof request.username === 'string' && user !== null && normaliseUsername(request.username) === user.username;
    // As for a failed login: the signer named is recorded as a username only when it names a user;
    // anything else typed there (a password, control or bidi characters) only as a keyed digest.
    const named = typeof request.username === 'string' ? findUser(state, request.username) : null;
    const attemptedSigner = named ? named.username : this.ledger.unknownUsernameDigest(request.username);
    const passwordMatches = sameSigner ? await this.ledger.passwordMatches(user, request.password) : false;
    const verdict = await this.ledger.execute(
      // Judged against the account the verdict is decided on: a password reset while it was being
      // checked no longer signs (§11.200(a), §11.300(c)).
      async (decidedOn) => ({
        type: 'VerifySigner',
        data: {
          attemptedSigner, studyId, subjectId, ip: origin.ip ?? null,
          passwordMatches: sameSigner && (await this.ledger.passwordStillMatches(findUserById(decidedOn, actor.userId), request.password, { user, matches: passwordMatches })),
        },
      }),
      actor, origin.source, null,
    );
    await this.ledger.throwOnRefusal(verdict.events);
    const signer = user as UserAccount;

    const plan = signatureCommandPlan(
      { studyId, subjectId, meaning: request.meaning, scope, signer: { userId: signer.userId, username: signer.username, fullName: signer.fullName } },
      signedHashOf,
    );
    const idempotencyKey = request.idempotencyKey ?? null;
    // The key is bound to what is signed and by whom, never to the password (the fingerprint is kept).
    const requestHash = idempotencyKey === null ? null : requestFingerprint({ type, studyId, subjectId, meaning: request.meaning, scope, signer: signer.username });
    const outcome = await handleCommand(
      this.ledger.store, plan,
      { actor: actorOf(signer), source: origin.source, expectedVersion: request.expectedVersion, idempotencyKey, requestHash },
      { clock: this.ledger.clock },
    );
    return answerRecorded(outcome, () => {
      const written = toRecorded<SignatureEvent>(outcome.events[0]);
      const data = written.data;
      return {
        signatureEventId: written.eventId,
        type: written.type,
        studyId,
        subjectId,
        signerUserId: data.signerUserId,
        signerUsername: data.signerUsername,
        signerFullName: data.signerFullName,
        signedAt: data.signedAt,
        meaning: data.meaning,
        signedThroughVersion: data.signedThroughVersion,
        signedHash: data.signedHash,
        targetEventId: written.type === 'RecordSigned' ? written.data.targetEventId : null,
        streamVersion: outcome.primaryVersion,
        repeated: outcome.repeated,
      };
    });
  }

  /** Every signature of a subject with its status (`valid` or `superseded`). */
  async list(studyId: string, subjectId: string): Promise<SignatureState[]> {
    const events = await this.ledger.store.readStream(subjectStreamId(studyId, subjectId));
    return signatureStatus(events.map((e) => toRecorded(e)));
  }

  /** Recomputes a signature's binding from the store (see `verifySignature`). */
  verify(signatureEventId: string): Promise<SignatureVerification> {
    return verifySignature(this.ledger.store, signatureEventId);
  }
}
