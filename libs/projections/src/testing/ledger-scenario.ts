import { v7 as uuidv7 } from 'uuid';
import {
  addDays,
  loadDefaultProtocol,
  studyStreamId,
  subjectStreamId,
  type Actor,
  type ProtocolDocument,
  type TargetLesionInput,
} from '@trial-ledger/domain';
import type { EventStore, StoredEvent } from '@trial-ledger/event-store';
import type { ProjectedEvent } from '../projected-event';

/**
 * Test support: writes ledger scenarios as domain events, either folded directly (pure tests) or
 * appended to a real store, independently of the deciders. Events carry the data shapes of
 * `libs/domain/src/events/event.types.ts`.
 */
export const INVESTIGATOR: Actor = { userId: 'u-inv', username: 'ivy', fullName: 'Dr Ivy Investigator', role: 'investigator' };
export const COORDINATOR: Actor = { userId: 'u-coord', username: 'cora', fullName: 'Cora Coordinator', role: 'coordinator' };

export const seedProtocol = (): ProtocolDocument => loadDefaultProtocol();

interface ScenarioEvent {
  readonly eventId: string;
  readonly streamId: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly actor: Actor;
  readonly reason: string | null;
}

export interface AssessmentSpec {
  /** Target lesion diameters, mm (one liver lesion per value by default); null = not measured. */
  readonly diameters?: ReadonlyArray<number | null>;
  readonly newLesions?: boolean;
  readonly nonTargetStatus?: 'absent' | 'present' | 'unequivocal-progression' | 'not-evaluated';
}

export class LedgerScenario {
  readonly events: ScenarioEvent[] = [];
  private readonly rosterCount = new Map<string, number>();

  constructor(readonly studyId = 'LANR-HGNET-01') {}

  private push(streamId: string, type: string, data: Record<string, unknown>, actor: Actor = INVESTIGATOR, reason: string | null = null): string {
    const eventId = uuidv7();
    this.events.push({ eventId, streamId, type, data, actor, reason });
    return eventId;
  }

  registerStudy(protocol: ProtocolDocument = seedProtocol()): string {
    return this.push(studyStreamId(this.studyId), 'StudyRegistered', { studyId: this.studyId, protocol }, { ...INVESTIGATOR, role: 'admin' });
  }

  amendProtocol(protocol: ProtocolDocument, reason: string): string {
    return this.push(studyStreamId(this.studyId), 'ProtocolAmended', { studyId: this.studyId, version: protocol.version, protocol, reason }, INVESTIGATOR, reason);
  }

  subject(subjectId: string): SubjectScenario {
    return new SubjectScenario(this, subjectId);
  }

  /** @internal */
  append(streamId: string, type: string, data: Record<string, unknown>, actor?: Actor, reason?: string | null): string {
    return this.push(streamId, type, data, actor, reason ?? null);
  }

  /** @internal */
  nextSubjectNumber(): number {
    const n = (this.rosterCount.get(this.studyId) ?? 0) + 1;
    this.rosterCount.set(this.studyId, n);
    return n;
  }

  /** The scenario as a folded log: positions 1…n, one minute apart from `start`. */
  projected(start = '2026-01-01T00:00:00.000Z'): ProjectedEvent[] {
    const versions = new Map<string, number>();
    return this.events.map((e, i) => {
      const streamVersion = (versions.get(e.streamId) ?? 0) + 1;
      versions.set(e.streamId, streamVersion);
      return {
        type: e.type,
        data: e.data,
        eventId: e.eventId,
        streamId: e.streamId,
        streamVersion,
        globalPosition: i + 1,
        recordedAt: new Date(Date.parse(start) + i * 60_000).toISOString(),
        actor: e.actor,
        idempotencyKey: null,
        reason: e.reason,
      };
    });
  }

  /** Appends the events not yet appended, one append per event, in order. */
  async appendTo(store: EventStore, from = 0): Promise<StoredEvent[]> {
    const stored: StoredEvent[] = [];
    for (const e of this.events.slice(from)) {
      const result = await store.append({
        writes: [
          {
            streamId: e.streamId,
            expectedVersion: 'any',
            events: [
              {
                eventId: e.eventId,
                type: e.type,
                schemaVersion: 1,
                data: e.data,
                metadata: {
                  actor: e.actor,
                  reason: e.reason,
                  correlationId: e.eventId,
                  causationId: null,
                  idempotencyKey: null,
                  source: 'system',
                  protocolVersion: 1,
                },
              },
            ],
          },
        ],
      });
      stored.push(...result.events);
    }
    return stored;
  }
}

export class SubjectScenario {
  readonly streamId: string;

  constructor(private readonly ledger: LedgerScenario, readonly subjectId: string) {
    this.streamId = subjectStreamId(ledger.studyId, subjectId);
  }

  private push(type: string, data: Record<string, unknown>, actor?: Actor, reason?: string | null): string {
    return this.ledger.append(this.streamId, type, data, actor, reason);
  }

  screen(screeningDate: string): string {
    return this.push(
      'SubjectScreened',
      { studyId: this.ledger.studyId, subjectId: this.subjectId, screeningDate, consentDate: screeningDate, sex: 'F', birthYear: 1960 },
      COORDINATOR,
    );
  }

  confirmEligibility(assessmentDate: string): string {
    return this.push('EligibilityConfirmed', {
      assessmentDate, age: 64, primarySite: 'rectum', whoGrade: 1, ki67Percent: 2, diseaseStatus: 'metastatic',
      measurableDisease: true, priorSystemicTherapy: false, ecog: 0,
    });
  }

  failScreening(assessmentDate: string, failedCriteria: string[]): string {
    return this.push('SubjectScreenFailed', {
      assessmentDate, age: 64, primarySite: 'caecum', whoGrade: 1, ki67Percent: 2, diseaseStatus: 'metastatic',
      measurableDisease: true, priorSystemicTherapy: false, ecog: 0, failedCriteria,
    });
  }

  /** Screening and eligibility a week before, then enrollment (subject stream + study roster). */
  enrol(enrollmentDate: string): string {
    this.screen(addDays(enrollmentDate, -7));
    this.confirmEligibility(addDays(enrollmentDate, -7));
    const subjectNumber = this.ledger.nextSubjectNumber();
    const id = this.push('SubjectEnrolled', { subjectNumber, enrollmentDate });
    this.ledger.append(studyStreamId(this.ledger.studyId), 'SubjectAddedToRoster', { subjectId: this.subjectId, subjectNumber, enrollmentDate });
    return id;
  }

  dose(cycle: number, administeredOn: string, window: { dueOn: string; from: string; to: string }, doseMg = 120): string {
    return this.push('DoseAdministered', { cycle, administeredOn, doseMg, route: 'deep-sc', lotNumber: 'L-001', injectionSite: 'left buttock', window }, COORDINATOR);
  }

  missDose(cycle: number, dueOn: string, reason: string): string {
    return this.push('DoseMissed', { cycle, dueOn, reason }, COORDINATOR);
  }

  deviationDetected(deviationDate: string, category: string, severity: 'major' | 'minor', relatedEventId?: string): string {
    return this.push('ProtocolDeviationDetected', { deviationDate, category, description: `${category} detected`, severity, ...(relatedEventId ? { relatedEventId } : {}) });
  }

  deviationRecorded(deviationDate: string, category: string, severity: 'major' | 'minor'): string {
    return this.push('ProtocolDeviationRecorded', { deviationDate, category, description: `${category} recorded`, severity });
  }

  baseline(assessmentDate: string, spec: AssessmentSpec = {}): string {
    return this.assess(assessmentDate, true, spec);
  }

  /** A follow-up scan. Stamped responses are placeholders: projections re-derive RECIST. */
  followUp(assessmentDate: string, spec: AssessmentSpec = {}): string {
    return this.assess(assessmentDate, false, spec);
  }

  private assess(assessmentDate: string, baseline: boolean, spec: AssessmentSpec): string {
    const targetLesions: TargetLesionInput[] = (spec.diameters ?? [50]).map((d, i) => ({ lesionId: `T${i + 1}`, organ: i % 2 === 0 ? 'liver' : 'lung', diameterMm: d, nodal: false }));
    return this.push('TumorAssessmentRecorded', {
      assessmentDate, modality: 'CT', baseline, targetLesions,
      nonTargetStatus: spec.nonTargetStatus ?? 'absent', newLesions: spec.newLesions ?? false,
      sumOfDiametersMm: null, targetResponse: null, overallResponse: null,
    });
  }

  clinicalProgression(progressionDate: string): string {
    return this.push('ClinicalProgressionRecorded', { progressionDate, basis: 'symptomatic deterioration' });
  }

  newTherapy(startDate: string, therapy = 'everolimus'): string {
    return this.push('NewAnticancerTherapyStarted', { startDate, therapy });
  }

  adverseEvent(onsetDate: string, ctcaeGrade: number, serious = false): string {
    return this.push('AdverseEventReported', { term: 'diarrhoea', onsetDate, ctcaeGrade, serious, relatedness: 'possibly related' });
  }

  discontinue(discontinuationDate: string, reason = 'progression'): string {
    return this.push('TreatmentDiscontinued', { discontinuationDate, reason });
  }

  withdraw(withdrawalDate: string, reason: 'consent-withdrawn' | 'lost-to-follow-up' | 'investigator-decision' | 'other' = 'lost-to-follow-up'): string {
    return this.push('SubjectWithdrawn', { withdrawalDate, reason });
  }

  die(deathDate: string, cause = 'disease progression'): string {
    return this.push('SubjectDied', { deathDate, cause });
  }

  correct(targetEventId: string, targetType: string, before: Record<string, unknown>, after: Record<string, unknown>, reason: string): string {
    return this.push('EntryCorrected', { targetEventId, targetType, before, after, reason }, INVESTIGATOR, reason);
  }

  void(targetEventId: string, targetType: string, reason: string): string {
    return this.push('EntryVoided', { targetEventId, targetType, reason }, INVESTIGATOR, reason);
  }

  sign(meaning = 'approval'): string {
    return this.push('CasebookSigned', { meaning, signedHash: 'f'.repeat(64) });
  }

  /** A signature of one record (e.g. a monitor's review). */
  signRecord(targetEventId: string, meaning = 'review'): string {
    return this.push('RecordSigned', { meaning, targetEventId, signedHash: 'e'.repeat(64) });
  }
}
