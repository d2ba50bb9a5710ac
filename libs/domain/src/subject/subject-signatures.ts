import { judgeSignature, signatureChanges, type EntryStep, type SignatureState } from '../identity/signature';
import type { SubjectState } from './subject.state';

/**
 * The signatures of a folded subject with their status, judged by the same rule as `signatureStatus`
 * over the recorded events: the entries, their corrections and voids carry their stream versions.
 */
export const subjectSignatures = (state: SubjectState): SignatureState[] => {
  if (state.signatures.length === 0) return [];
  const versions = new Map<string, number>();
  const steps: EntryStep[] = [];
  for (const entry of state.entries) {
    versions.set(entry.eventId, entry.streamVersion);
    steps.push({ kind: 'entry', eventId: entry.eventId, streamVersion: entry.streamVersion, type: entry.recorded.type, data: entry.recorded.data as unknown as Record<string, unknown> });
    for (const c of entry.corrections) {
      versions.set(c.eventId, c.streamVersion);
      steps.push({ kind: 'correction', eventId: c.eventId, streamVersion: c.streamVersion, targetEventId: entry.eventId, after: c.after as Record<string, unknown> });
    }
    if (entry.voided) steps.push({ kind: 'void', eventId: entry.voided.eventId, streamVersion: entry.voided.streamVersion, targetEventId: entry.eventId, after: {} });
  }
  steps.sort((a, b) => a.streamVersion - b.streamVersion);
  const { changes, readings } = signatureChanges(steps);
  return state.signatures.map((sig) => judgeSignature(sig, (id) => versions.get(id), changes, readings));
};
