import { judgeSignature, type SignatureChange, type SignatureState } from '../identity/signature';
import type { SubjectState } from './subject.state';

/**
 * The signatures of a folded subject with their status, judged by the same rule as `signatureStatus`
 * over the recorded events: the entries, their corrections and voids carry their stream versions.
 */
export const subjectSignatures = (state: SubjectState): SignatureState[] => {
  if (state.signatures.length === 0) return [];
  const versions = new Map<string, number>();
  const changes: SignatureChange[] = [];
  for (const entry of state.entries) {
    versions.set(entry.eventId, entry.streamVersion);
    for (const c of entry.corrections) {
      versions.set(c.eventId, c.streamVersion);
      changes.push({ eventId: c.eventId, streamVersion: c.streamVersion, targetEventId: entry.eventId });
    }
    if (entry.voided) changes.push({ eventId: entry.voided.eventId, streamVersion: entry.voided.streamVersion, targetEventId: entry.eventId });
  }
  changes.sort((a, b) => a.streamVersion - b.streamVersion);
  return state.signatures.map((sig) => judgeSignature(sig, (id) => versions.get(id), changes));
};
