import { createHash } from 'node:crypto';
import { canonicalize } from 'json-canonicalize';
import {
  signatureStatus,
  subjectStreamId,
  type SignatureManifestation,
  type SignatureState,
} from '@trial-ledger/domain';
import { toRecorded } from '@trial-ledger/command-pipeline';
import { hashEvent, type EventStore, type StoredEvent } from '@trial-ledger/event-store';

/**
 * What a signature binds (Part 11 §11.70: signatures linked to their records so they cannot be
 * excised, copied or transferred): SHA-256 over the canonical JSON of the subject stream's id, the
 * version signed through and the chain hash stored for that version. The chain hash already commits
 * to every earlier event of the log, so the signature binds exactly the content the signer saw.
 */
export const signedHashOf = (streamId: string, signedThroughVersion: number, signedEventHash: string): string =>
  createHash('sha256')
    .update(canonicalize({ scheme: 'trial-ledger-signature-v1', streamId, signedThroughVersion, signedEventHash }), 'utf8')
    .digest('hex');

export type SignatureFault =
  | 'not-a-signature'
  | 'moved' // the signature sits in another subject's stream than the one it names
  | 'signature-altered' // the signature event's own content no longer matches its stored hash
  | 'covered-content-missing' // the signed-through version is not in the stream
  | 'covered-content-altered' // a covered event's content no longer matches its stored hash
  | 'hash-mismatch'; // the bound hash does not recompute from the stored chain

export interface SignatureVerification {
  readonly signatureEventId: string;
  /** The binding holds: the signature still sits on exactly the content it was made over. */
  readonly intact: boolean;
  readonly fault: SignatureFault | null;
  /** `valid` or `superseded` by a later correction (null when the binding is broken). */
  readonly status: SignatureState['status'] | null;
  readonly signature: SignatureState | null;
}

const SIGNATURE_TYPES = new Set(['CasebookSigned', 'RecordSigned']);

/**
 * Recomputes a signature's binding from the store: the signature's own hash, every covered event's
 * hash, and the bound `signedHash`. Detects a signature copied onto another record or content
 * changed under it; whole-log tampering (insertions, reordering) is the ledger `verify`'s job.
 */
export const verifySignature = async (store: EventStore, signatureEventId: string): Promise<SignatureVerification> => {
  const signature = await store.getEvent(signatureEventId);
  const broken = (fault: SignatureFault): SignatureVerification => ({ signatureEventId, intact: false, fault, status: null, signature: null });
  if (!signature || !SIGNATURE_TYPES.has(signature.type)) return broken('not-a-signature');
  return verifySignatureIn(await store.readStream(signature.streamId), signature);
};

/** As `verifySignature`, over a subject stream already read. */
export const verifySignatureIn = (streamEvents: readonly StoredEvent[], signature: StoredEvent): SignatureVerification => {
  const signatureEventId = signature.eventId;
  const broken = (fault: SignatureFault): SignatureVerification => ({ signatureEventId, intact: false, fault, status: null, signature: null });
  const data = signature.data as unknown as SignatureManifestation & { targetEventId?: string };
  if (subjectStreamId(data.studyId, data.subjectId) !== signature.streamId) return broken('moved');
  if (hashEvent(signature) !== signature.hash) return broken('signature-altered');
  const covered = streamEvents.filter((e) => e.streamVersion <= data.signedThroughVersion);
  const last = covered.at(-1);
  if (!last || last.streamVersion !== data.signedThroughVersion) return broken('covered-content-missing');
  if (covered.some((e) => hashEvent(e) !== e.hash)) return broken('covered-content-altered');
  if (last.hash !== data.signedEventHash || signedHashOf(signature.streamId, data.signedThroughVersion, last.hash) !== data.signedHash) {
    return broken('hash-mismatch');
  }
  if (signature.type === 'RecordSigned' && !covered.some((e) => e.eventId === data.targetEventId)) return broken('covered-content-missing');
  const state = signatureStatus(streamEvents.map((e) => toRecorded(e))).find((s) => s.signatureEventId === signatureEventId) ?? null;
  return { signatureEventId, intact: true, fault: null, status: state?.status ?? null, signature: state };
};
