import type { ProtocolDocument } from '@trial-ledger/domain';
import { deriveSubjectPfs, type SubjectPfs } from '@trial-ledger/pfs';
import { casebookKey, casebookView, getStudyContext, type CasebookDocument, type ClinicalState, type StudyContext } from '@trial-ledger/projections';

/** What the study dashboard needs of one subject: its signatures in counts, and its PFS row. */
export interface SubjectDigest {
  readonly subjectId: string;
  readonly enrolled: boolean;
  readonly validSignatures: number;
  readonly supersededSignatures: number;
  /** A valid signature of the whole casebook. */
  readonly casebookSigned: boolean;
  readonly pfs: SubjectPfs | null;
}

/**
 * Per subject row of the read models, the digest derived from it, with the protocol it was derived
 * under. The read models replace a subject's row (a new object) whenever an event changes it, and
 * never change a row in place; so a digest is derived once per change of its subject, not per page:
 * the dashboard costs O(subjects) lookups plus the subjects changed since the last page.
 */
const digests = new WeakMap<CasebookDocument, { readonly protocol: ProtocolDocument | null; readonly digest: SubjectDigest }>();

const digestOf = (row: CasebookDocument, study: StudyContext | null): SubjectDigest => {
  const protocol = study?.protocol ?? null;
  const known = digests.get(row);
  if (known !== undefined && known.protocol === protocol) return known.digest;
  const view = casebookView(row, study);
  const digest: SubjectDigest = {
    subjectId: view.subjectId,
    enrolled: view.enrollment !== null,
    validSignatures: view.signatures.filter((s) => s.status === 'valid').length,
    supersededSignatures: view.signatures.filter((s) => s.status === 'superseded').length,
    casebookSigned: view.signatures.some((s) => s.status === 'valid' && s.scope === 'casebook'),
    pfs: protocol === null ? null : deriveSubjectPfs(view, protocol),
  };
  digests.set(row, { protocol, digest });
  return digest;
};

/** The digests of every subject of a study, from the rows of the read models at one position. */
export const studyDigests = (state: ClinicalState, studyId: string): SubjectDigest[] => {
  const study = getStudyContext(state, studyId);
  const prefix = casebookKey(studyId, '');
  const out: SubjectDigest[] = [];
  for (const key of Object.keys(state)) if (key.startsWith(prefix)) out.push(digestOf(state[key] as CasebookDocument, study));
  return out;
};

/** Derives the digests of a study's subjects a slice at a time (a generator the caller spaces out). */
export function* warmStudyDigests(state: ClinicalState, studyId: string, slice = 100): Generator<number> {
  const study = getStudyContext(state, studyId);
  const prefix = casebookKey(studyId, '');
  let done = 0;
  for (const key of Object.keys(state)) {
    if (!key.startsWith(prefix)) continue;
    digestOf(state[key] as CasebookDocument, study);
    done += 1;
    if (done % slice === 0) yield done;
  }
}
