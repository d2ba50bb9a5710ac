import {
  decideSignature,
  notFound,
  studyStreamId,
  subjectStreamId,
  type CasebookSigned,
  type RecordSigned,
  type SignCommand,
} from '@trial-ledger/domain';
import type { CommandPlan } from '../handle-command';
import { toRecorded } from '../to-recorded';
import { foldStudyStream } from './stream-fold';

/** What the signer asks to sign; the plan adds the version and the chain hash it signs through. */
export type SignatureRequest = Omit<SignCommand, 'signedThroughVersion' | 'signedEventHash' | 'signedHash'>;

/** How a signature binds the content signed (the identity lib's `signedHashOf`): passed in, so the pipeline holds no signature scheme. */
export type SignatureBinding = (streamId: string, signedThroughVersion: number, signedEventHash: string) => string;

export type SignatureEvent = CasebookSigned | RecordSigned;

/**
 * The record half of an electronic signature (Part 11 §11.50, §11.70): reads the subject stream and
 * signs through its last event — the version and chain hash stored for it are bound into the
 * signature, so the signature covers exactly the content the signer reviewed. The study stream is
 * read too, and checked at append time, so no signature is recorded into a study locked meanwhile.
 */
export const signatureCommandPlan = (request: SignatureRequest, bind: SignatureBinding): CommandPlan => {
  const streamId = subjectStreamId(request.studyId, request.subjectId);
  const studyStream = studyStreamId(request.studyId);
  return {
    primaryStream: streamId,
    readStreams: [studyStream],
    decide: (streams, metadata) => {
      const stored = streams.get(streamId) ?? [];
      const last = stored.at(-1);
      if (!last) return notFound('SUBJECT.NOT_FOUND', `No subject ${request.subjectId} in study ${request.studyId}`, { studyId: request.studyId, subjectId: request.subjectId });
      const command: SignCommand = {
        ...request,
        signedThroughVersion: last.streamVersion,
        signedEventHash: last.hash,
        signedHash: bind(streamId, last.streamVersion, last.hash),
      };
      const events = decideSignature(command, stored.map((e) => toRecorded(e)), metadata, foldStudyStream(streams.get(studyStream)));
      return { writes: [{ streamId, events }], protocolVersion: last.metadata.protocolVersion };
    },
  };
};
