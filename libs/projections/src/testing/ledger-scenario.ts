import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import {
  addDays,
  decideQuery,
  decideSignature,
  decideStudy,
  decideSubject,
  evolveQuery,
  evolveStudy,
  evolveSubject,
  initialQueryState,
  initialStudyState,
  initialSubjectState,
  loadDefaultProtocol,
  queryStreamId,
  studyStreamId,
  subjectStreamId,
  type AdverseEventOutcome,
  type Actor,
  type AssessEligibilityPayload,
  type CommandMetadata,
  type ProtocolDocument,
  type QueryCommand,
  type QueryEvent,
  type QueryState,
  type RecordDosePayload,
  type RecordedSubjectEvent,
  type SignatureMeaning,
  type SignatureScope,
  type StudyCommand,
  type StudyEvent,
  type StudyState,
  type SubjectCommand,
  type SubjectEvent,
  type SubjectPayloads,
  type SubjectState,
  type TargetLesionInput,
  type WithdrawalReason,
} from '@trial-ledger/domain';
import type { AppendRequest, EventStore, StoredEvent } from '@trial-ledger/event-store';
import type { ProjectedEvent } from '../projected-event';

/**
 * Test support: ledger scenarios written by running commands through the domain's deciders
 * (`decideStudy`, `decideSubject`, `decideSignature`) against the state folded so far, so a scenario
 * can only hold histories the domain itself would record; a refused command throws its `DomainError`.
 * The recorded events can be folded directly (pure tests) or appended to a real store, one append per
 * decision with the expected stream versions.
 */
export const ADMIN: Actor = { userId: 'u-admin', username: 'ada', fullName: 'Ada Admin', role: 'admin' };
export const INVESTIGATOR: Actor = { userId: 'u-inv', username: 'ivy', fullName: 'Dr Ivy Investigator', role: 'investigator' };
export const COORDINATOR: Actor = { userId: 'u-coord', username: 'cora', fullName: 'Cora Coordinator', role: 'coordinator' };
export const MONITOR: Actor = { userId: 'u-mon', username: 'mona', fullName: 'Mona Monitor', role: 'monitor' };

export const seedProtocol = (): ProtocolDocument => loadDefaultProtocol();

/** An eligible subject's assessment inputs (hindgut NET, grade 1, Ki-67 2 %). */
export const ELIGIBLE: Omit<AssessEligibilityPayload, 'assessmentDate'> = {
  age: 64, primarySite: 'rectum', whoGrade: 1, ki67Percent: 2, diseaseStatus: 'metastatic', measurableDisease: true, priorSystemicTherapy: false, ecog: 0,
};

export interface AssessmentSpec {
  /** Target lesion diameters, mm (liver and lung lesions alternately); null = not measured. */
  readonly diameters?: ReadonlyArray<number | null>;
  readonly newLesions?: boolean;
  readonly nonTargetStatus?: 'absent' | 'present' | 'unequivocal-progression' | 'not-evaluated';
  /** CT unless given. */
  readonly modality?: 'CT' | 'MRI';
}

export interface ScenarioOptions {
  /** When the commands are decided (`metadata.now`): after every clinical date of the scenario. */
  readonly now?: string;
  /** Recording instant of the first event; each next event one minute later. */
  readonly start?: string;
}

type Decided = { readonly streamId: string; readonly event: StudyEvent | SubjectEvent | QueryEvent; readonly actor: Actor; readonly reason: string | null };

export class LedgerScenario {
  /** Every recorded event, in log order. */
  readonly events: ProjectedEvent[] = [];
  /** Index ranges of `events` written together (one decision = one atomic append), with the command's correlation id. */
  private readonly batches: Array<{ from: number; to: number; correlationId: string }> = [];
  private readonly streams = new Map<string, ProjectedEvent[]>();
  private study: StudyState = initialStudyState();
  private readonly subjects = new Map<string, SubjectState>();
  private readonly queries = new Map<string, QueryState>();
  private queryCount = 0;
  readonly now: string;
  private readonly start: number;

  constructor(
    readonly studyId = 'LANR-HGNET-01',
    options: ScenarioOptions = {},
  ) {
    this.now = options.now ?? '2028-01-01T00:00:00.000Z';
    this.start = Date.parse(options.start ?? '2026-01-01T00:00:00.000Z');
  }

  private meta(actor: Actor, reason: string | null = null): CommandMetadata {
    return { actor, now: this.now, reason };
  }

  /** Records one decision's events (positions, versions, ids as a store would) and folds them. */
  private record(decided: readonly Decided[]): string {
    const from = this.events.length;
    // Stamped as the pipeline stamps it: a registration or amendment its own version, anything else the version in force.
    const amended = decided.map((d) => d.event).find((e) => e.type === 'StudyRegistered' || e.type === 'ProtocolAmended') as StudyEvent | undefined;
    const protocolVersion =
      amended?.type === 'StudyRegistered' || amended?.type === 'ProtocolAmended' ? amended.data.protocol.version : this.study.status === 'unregistered' ? null : this.study.protocol.version;
    for (const { streamId, event, actor, reason } of decided) {
      const stream = this.streams.get(streamId) ?? [];
      const recorded: ProjectedEvent = {
        type: event.type,
        data: event.data as unknown as Record<string, unknown>,
        eventId: uuidv7(),
        streamId,
        streamVersion: stream.length + 1,
        globalPosition: this.events.length + 1,
        recordedAt: new Date(this.start + this.events.length * 60_000).toISOString(),
        actor,
        idempotencyKey: null,
        protocolVersion,
        reason,
      };
      stream.push(recorded);
      this.streams.set(streamId, stream);
      this.events.push(recorded);
      if (streamId === studyStreamId(this.studyId)) this.study = evolveStudy(this.study, event as StudyEvent);
      else if (streamId.startsWith('query-')) this.queries.set(streamId, evolveQuery(this.queries.get(streamId) ?? initialQueryState(), event as QueryEvent));
      else this.subjects.set(streamId, evolveSubject(this.subjectState(streamId), recorded as unknown as RecordedSubjectEvent));
    }
    // One correlation id per command, its own (the pipeline's `newEventId()`), fixed here so that every store the scenario is appended to gets the same.
    this.batches.push({ from, to: this.events.length, correlationId: uuidv7() });
    return this.events[from].eventId;
  }

  /** @internal */
  subjectState(streamId: string): SubjectState {
    return this.subjects.get(streamId) ?? initialSubjectState();
  }

  /** @internal */
  streamEvents(streamId: string): readonly ProjectedEvent[] {
    return this.streams.get(streamId) ?? [];
  }

  private runStudy(command: StudyCommand, reason: string | null = null): string {
    const events = decideStudy(command, this.study, this.meta(ADMIN, reason));
    return this.record(events.map((event) => ({ streamId: studyStreamId(this.studyId), event, actor: ADMIN, reason })));
  }

  registerStudy(protocol: ProtocolDocument = seedProtocol()): string {
    return this.runStudy({ type: 'RegisterStudy', studyId: this.studyId, payload: { protocol } });
  }

  amendProtocol(protocol: ProtocolDocument, reason: string): string {
    return this.runStudy({ type: 'AmendProtocol', studyId: this.studyId, payload: { protocol, reason } }, reason);
  }

  subject(subjectId: string): SubjectScenario {
    return new SubjectScenario(this, subjectId);
  }

  /** @internal Decides a subject command and records its subject events and any roster entry, atomically. */
  runSubject(command: SubjectCommand, actor: Actor, reason: string | null = null): string {
    const streamId = subjectStreamId(command.studyId, command.subjectId);
    const decision = decideSubject(command, { subject: this.subjectState(streamId), study: this.study }, this.meta(actor, reason));
    return this.record([
      ...decision.subject.map((event) => ({ streamId, event, actor, reason })),
      ...decision.study.map((event) => ({ streamId: studyStreamId(this.studyId), event, actor, reason })),
    ]);
  }

  /** @internal Decides a signature over the subject stream as it stands. */
  runSignature(subjectId: string, scope: SignatureScope, meaning: SignatureMeaning, signer: Actor): string {
    const streamId = subjectStreamId(this.studyId, subjectId);
    const stream = this.streamEvents(streamId);
    const through = stream.length;
    // A digest of the stream through the signed version; the real ceremony binds the store's chain hash.
    const digest = createHash('sha256').update(JSON.stringify(stream.map((e) => [e.eventId, e.type, e.data]))).digest('hex');
    const events = decideSignature(
      {
        studyId: this.studyId,
        subjectId,
        meaning,
        scope,
        signer: { userId: signer.userId, username: signer.username, fullName: signer.fullName },
        signedThroughVersion: through,
        signedEventHash: digest,
        signedHash: digest,
      },
      stream,
      this.meta(signer),
      this.study,
    );
    return this.record(events.map((event) => ({ streamId, event, actor: signer, reason: null })));
  }

  /** @internal Decides a query command (a monitor's, or the site's answer) over the query's stream as it stands. */
  runQuery(command: QueryCommand, actor: Actor): string | null {
    const streamId = queryStreamId(this.studyId, (command.payload as { queryId: string }).queryId);
    const subject = this.subjectState(subjectStreamId(this.studyId, command.subjectId));
    const events = decideQuery(command, { query: this.queries.get(streamId) ?? initialQueryState(), subject, study: this.study }, this.meta(actor));
    return events.length === 0 ? null : this.record(events.map((event) => ({ streamId, event, actor, reason: null })));
  }

  /** @internal A new query id (32 hex digits), in the order queries are opened. */
  nextQueryId(): string {
    this.queryCount += 1;
    return this.queryCount.toString(16).padStart(32, '0');
  }

  /** The scenario as a folded log: positions 1…n, one minute apart from the start. */
  projected(): ProjectedEvent[] {
    return [...this.events];
  }

  /**
   * Appends the decisions not yet appended (those from event index `from`), each atomically, in order.
   * With `concurrency` > 1 that many appends are submitted before the first is awaited, so a store that
   * group-commits (SQLite) writes them in one transaction — still one append per decision, each with
   * its expected versions, positions and the hash chain in submission order.
   */
  async appendTo(store: EventStore, from = 0, concurrency = 1): Promise<StoredEvent[]> {
    const stored: StoredEvent[] = [];
    // Batches are in log order: the first one at or after `from` is found by bisection (large scenarios append in chunks).
    let lo = 0;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.batches[mid].from < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.batches.length; i += concurrency) {
      const results = await Promise.all(this.batches.slice(i, i + concurrency).map((batch) => store.append(this.appendRequest(batch))));
      for (const result of results) stored.push(...result.events);
    }
    return stored;
  }

  /**
   * One decision as the command pipeline appends it (`handleCommand`): a correlation id of the command's own,
   * the first event caused by nothing, every later one caused by the first (a roster entry by its enrollment,
   * a detected deviation by its dose), from the API — so `commandEndAt` and the review's clinical entries
   * (not the system's) read a scenario ledger as they read one the pipeline wrote.
   */
  private appendRequest(batch: { from: number; to: number; correlationId: string }): AppendRequest {
    const events = this.events.slice(batch.from, batch.to);
    const first = events[0].eventId;
    const streamIds = [...new Set(events.map((e) => e.streamId))];
    return {
      writes: streamIds.map((streamId) => {
        const mine = events.filter((e) => e.streamId === streamId);
        return {
          streamId,
          expectedVersion: mine[0].streamVersion - 1,
          events: mine.map((e) => ({
            eventId: e.eventId,
            type: e.type,
            schemaVersion: 1,
            data: e.data as Record<string, unknown>,
            metadata: {
              actor: e.actor,
              reason: e.reason,
              correlationId: batch.correlationId,
              causationId: e.eventId === first ? null : first,
              idempotencyKey: null,
              source: 'api' as const,
              protocolVersion: e.protocolVersion ?? null,
            },
          })),
        };
      }),
    };
  }
}

export class SubjectScenario {
  readonly streamId: string;

  constructor(
    private readonly ledger: LedgerScenario,
    readonly subjectId: string,
  ) {
    this.streamId = subjectStreamId(ledger.studyId, subjectId);
  }

  private run<K extends keyof SubjectPayloads>(type: K, payload: SubjectPayloads[K], actor: Actor = INVESTIGATOR, reason: string | null = null): string {
    return this.ledger.runSubject({ type, studyId: this.ledger.studyId, subjectId: this.subjectId, payload } as SubjectCommand, actor, reason);
  }

  private get state(): SubjectState {
    return this.ledger.subjectState(this.streamId);
  }

  /** Screening with written consent the same day. */
  screen(screeningDate: string, consentDate = screeningDate): string {
    return this.run('ScreenSubject', { screeningDate, consentDate, sex: 'F', birthYear: 1960 }, COORDINATOR);
  }

  confirmEligibility(assessmentDate: string): string {
    return this.run('AssessEligibility', { assessmentDate, ...ELIGIBLE });
  }

  /** An assessment the domain finds failing (e.g. `{ ki67Percent: 30 }`: Ki-67 above the maximum). */
  failScreening(assessmentDate: string, failing: Partial<AssessEligibilityPayload>): string {
    return this.run('AssessEligibility', { assessmentDate, ...ELIGIBLE, ...failing });
  }

  /** Enrollment; screening and eligibility a week before are recorded first when missing. */
  enrol(enrollmentDate: string): string {
    if (this.state.facts.screening === null) this.screen(addDays(enrollmentDate, -7));
    if (this.state.facts.eligibility === null) this.confirmEligibility(this.state.facts.screening!.screeningDate);
    return this.run('EnrollSubject', { enrollmentDate });
  }

  /** A dose; its protocol window (and any deviation it reveals) is derived by the domain. */
  dose(cycle: number, administeredOn: string, over: Partial<RecordDosePayload> = {}): string {
    return this.run('RecordDose', { cycle, administeredOn, doseMg: 120, route: 'deep-sc', lotNumber: 'L-001', injectionSite: 'left buttock', ...over }, COORDINATOR);
  }

  missDose(cycle: number, dueOn: string, reason: string): string {
    return this.run('RecordMissedDose', { cycle, dueOn, reason }, COORDINATOR);
  }

  deviationRecorded(deviationDate: string, category: string, severity: 'major' | 'minor'): string {
    return this.run('RecordDeviation', { deviationDate, category, description: `${category} recorded`, severity });
  }

  /** The baseline scan; a subject not yet screened is screened (consent given) that day first. */
  baseline(assessmentDate: string, spec: AssessmentSpec = {}): string {
    if (this.state.facts.screening === null) this.screen(assessmentDate);
    return this.assess(assessmentDate, true, spec);
  }

  /** A follow-up scan; the domain derives its RECIST response. */
  followUp(assessmentDate: string, spec: AssessmentSpec = {}): string {
    return this.assess(assessmentDate, false, spec);
  }

  private assess(assessmentDate: string, baseline: boolean, spec: AssessmentSpec): string {
    const targetLesions: TargetLesionInput[] = (spec.diameters ?? [50]).map((d, i) => ({ lesionId: `T${i + 1}`, organ: i % 2 === 0 ? 'liver' : 'lung', diameterMm: d, nodal: false }));
    return this.run(
      'RecordTumorAssessment',
      { assessmentDate, modality: spec.modality ?? 'CT', baseline, targetLesions, nonTargetStatus: spec.nonTargetStatus ?? 'absent', newLesions: spec.newLesions ?? false },
      COORDINATOR,
    );
  }

  clinicalProgression(progressionDate: string): string {
    return this.run('RecordClinicalProgression', { progressionDate, basis: 'symptomatic deterioration' });
  }

  newTherapy(startDate: string, therapy = 'everolimus'): string {
    return this.run('RecordNewAnticancerTherapy', { startDate, therapy });
  }

  adverseEvent(onsetDate: string, ctcaeGrade: number, serious = false): string {
    return this.run('ReportAdverseEvent', { term: 'diarrhoea', onsetDate, ctcaeGrade, serious, relatedness: 'possibly related' }, COORDINATOR);
  }

  /** The outcome of a reported adverse event (`adverseEventId`: the id `adverseEvent` returned), with its end date when it ended. */
  adverseEventOutcome(adverseEventId: string, outcome: AdverseEventOutcome, endDate?: string): string {
    return this.run('RecordAdverseEventOutcome', { adverseEventId, outcome, ...(endDate !== undefined ? { endDate } : {}) }, COORDINATOR);
  }

  discontinue(discontinuationDate: string, reason = 'progression'): string {
    return this.run('DiscontinueTreatment', { discontinuationDate, reason });
  }

  withdraw(withdrawalDate: string, reason: WithdrawalReason = 'lost-to-follow-up'): string {
    return this.run('WithdrawSubject', { withdrawalDate, reason });
  }

  die(deathDate: string, cause = 'disease progression'): string {
    return this.run('RecordDeath', { deathDate, cause });
  }

  /** A correction of recorded fields (`changes`), with its reason; returns the `EntryCorrected` id. */
  correct(targetEventId: string, changes: Record<string, unknown>, reason: string): string {
    return this.run('CorrectEntry', { targetEventId, changes, reason }, INVESTIGATOR, reason);
  }

  void(targetEventId: string, reason: string): string {
    return this.run('VoidEntry', { targetEventId, reason }, INVESTIGATOR, reason);
  }

  /** The investigator signs the casebook as it stands. */
  sign(meaning: SignatureMeaning = 'approval'): string {
    return this.ledger.runSignature(this.subjectId, 'casebook', meaning, INVESTIGATOR);
  }

  /** A monitor opens a query on one entry (or one field of it); returns the query id. */
  openQuery(targetEventId: string, fieldPath: string | null = null, text = 'Please check against the source'): string {
    const queryId = this.ledger.nextQueryId();
    this.ledger.runQuery({ type: 'OpenQuery', studyId: this.ledger.studyId, subjectId: this.subjectId, payload: { queryId, targetEventId, fieldPath, text } } as QueryCommand, MONITOR);
    return queryId;
  }

  /** The site answers a query. */
  respondToQuery(queryId: string, text = 'Checked against the source'): string | null {
    return this.ledger.runQuery({ type: 'RespondToQuery', studyId: this.ledger.studyId, subjectId: this.subjectId, payload: { queryId, text, category: 'confirmed-correct' } } as QueryCommand, COORDINATOR);
  }

  /** The monitor closes, reopens or cancels a query. */
  queryTransition(type: 'CloseQuery' | 'ReopenQuery' | 'CancelQuery', queryId: string): string | null {
    return this.ledger.runQuery({ type, studyId: this.ledger.studyId, subjectId: this.subjectId, payload: { queryId, text: null } } as QueryCommand, MONITOR);
  }

  /** A monitor signs one record (source data verification). */
  signRecord(targetEventId: string, meaning: SignatureMeaning = 'review'): string {
    return this.ledger.runSignature(this.subjectId, { eventId: targetEventId }, meaning, MONITOR);
  }
}
