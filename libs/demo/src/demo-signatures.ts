import { executeCommand, toRecorded } from '@trial-ledger/command-pipeline';
import { signatureStatus, subjectStreamId, type Actor, type Role } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import type { Identity } from '@trial-ledger/identity';
import type { DemoScenario } from './demo-scenario.generator';
import type { DemoCredential } from './demo-users';

/** How many casebooks the investigator signs at the end of the demo (each signing re-verifies the password). */
const CASEBOOKS_SIGNED = 4;

export interface DemoSignatures {
  readonly casebooksSigned: number;
  readonly recordsSigned: number;
  /** Signatures made out of date by a later correction (Part 11 §11.70: never carried over silently). */
  readonly superseded: number;
}

/**
 * The Part 11 close of the demo (§11.50, §11.100, §11.200): the investigator approves the first
 * enrolled subjects' casebooks, re-entering username and password at every signing; the monitor signs
 * one tumour assessment as reviewed; then a coordinator corrects an adverse event in a signed casebook
 * with a reason, which supersedes that casebook's signature, as a data query after sign-off would.
 */
export const signDemoCasebooks = async (
  store: EventStore,
  identity: Identity,
  scenario: DemoScenario,
  credentials: readonly DemoCredential[],
  actorFor: (role: Role) => Actor,
): Promise<DemoSignatures> => {
  const credential = (role: Role): DemoCredential => {
    const found = credentials.find((c) => c.role === role);
    if (!found) throw new Error(`No demo user with role ${role}`);
    return found;
  };
  const investigator = credential('investigator');
  const monitor = credential('monitor');
  const enrolled = scenario.subjects.filter((s) => s.enrollmentDate !== null).slice(0, CASEBOOKS_SIGNED);
  const origin = { source: 'cli' as const };
  for (const subject of enrolled) {
    // The investigator signs the casebook as it stands when they review it: its version travels with the signature.
    const reviewed = await store.streamVersion(subjectStreamId(scenario.studyId, subject.subjectId));
    await identity.signatures.sign(
      actorFor('investigator'),
      { username: investigator.username, password: investigator.password, meaning: 'approval', studyId: scenario.studyId, subjectId: subject.subjectId, scope: 'casebook', expectedVersion: reviewed },
      origin,
    );
  }
  const [first] = enrolled;
  const stream = subjectStreamId(scenario.studyId, first.subjectId);
  const events = await store.readStream(stream);
  const assessment = events.find((e) => e.type === 'TumorAssessmentRecorded');
  let recordsSigned = 0;
  if (assessment) {
    await identity.signatures.sign(
      actorFor('monitor'),
      {
        username: monitor.username, password: monitor.password, meaning: 'review', studyId: scenario.studyId, subjectId: first.subjectId,
        scope: { eventId: assessment.eventId }, expectedVersion: events[events.length - 1].streamVersion,
      },
      origin,
    );
    recordsSigned += 1;
  }
  const adverseEvent = events.find((e) => e.type === 'AdverseEventReported');
  if (adverseEvent) {
    await executeCommand(
      store,
      {
        type: 'CorrectEntry',
        studyId: scenario.studyId,
        subjectId: first.subjectId,
        payload: {
          targetEventId: adverseEvent.eventId,
          changes: { term: `${String(adverseEvent.data.term)} (coded to MedDRA preferred term)` },
          reason: 'Term recoded after the sponsor data review query raised at sign-off',
        },
      },
      { actor: actorFor('coordinator'), source: 'cli', idempotencyKey: `demo-${scenario.seed}-post-signature-correction`, reason: 'Term recoded after the sponsor data review query raised at sign-off' },
    );
  }
  let superseded = 0;
  for (const subject of enrolled) {
    const recorded = (await store.readStream(subjectStreamId(scenario.studyId, subject.subjectId))).map((e) => toRecorded(e));
    superseded += signatureStatus(recorded).filter((s) => s.status === 'superseded').length;
  }
  return { casebooksSigned: enrolled.length, recordsSigned, superseded };
};
