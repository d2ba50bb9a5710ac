import type { StudyEvent, SubjectEvent } from '../../events/event.types';
import type { SubjectCommand } from '../../commands/command.types';
import type { CommandMetadata } from '../../shared/decider';
import { DomainError, type DomainErrorKind } from '../../shared/domain-error';
import { evolveStudy } from '../../study/study.decider';
import { initialStudyState, type StudyState } from '../../study/study.state';
import { decideSubject, evolveSubject, type SubjectDecision } from '../subject.decider';
import { initialSubjectState, type RecordedSubjectEvent, type SubjectState } from '../subject.state';
import { loadDefaultProtocol } from '../../protocol/protocol.validate';
import {
  baselineAssessment,
  COORDINATOR,
  eligibility,
  ENROLLMENT_DATE,
  INVESTIGATOR,
  meta,
  screening,
  STUDY_ID,
  subjectCommand,
} from './subject.fixtures';

/**
 * Given / when / then for deciders (after emmett's `DeciderSpecification`): given these events, when
 * this command, then these events — or this error, or nothing.
 */
export interface SpecDecider<Command, State, Event, Result> {
  decide(command: Command, state: State, metadata: CommandMetadata): Result;
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export interface Then<Result> {
  /** The decision equals `expected` exactly. */
  then(expected: Result): void;
  /** The decision contains `expected` (a partial match, for derived or incidental fields). */
  thenMatches(expected: unknown): void;
  thenError(code: string, kind?: DomainErrorKind): void;
  /** The refusal's code and (partially) its details. */
  thenErrorWith(code: string, details: Record<string, unknown>): void;
  thenNothing(): void;
  result(): Result;
}

export const deciderSpec = <Command, State, Event, Result>(decider: SpecDecider<Command, State, Event, Result>) => ({
  given: (events: readonly Event[]) => ({
    when: (command: Command, metadata: CommandMetadata = meta()): Then<Result> => {
      const run = (): Result => decider.decide(command, events.reduce((s, e) => decider.evolve(s, e), decider.initialState()), metadata);
      const refusal = (code: string): DomainError => {
        let caught: unknown;
        try {
          const result = run();
          throw new Error(`expected ${code}, but the command was accepted: ${JSON.stringify(result)}`);
        } catch (error) {
          caught = error;
        }
        if (!(caught instanceof DomainError)) throw caught;
        return caught;
      };
      return {
        then: (expected) => expect(run()).toEqual(expected),
        thenMatches: (expected) => expect(run()).toMatchObject(expected as object),
        thenError: (code, kind) => {
          const caught = refusal(code);
          expect({ code: caught.code, ...(kind ? { kind: caught.kind } : {}) }).toEqual({ code, ...(kind ? { kind } : {}) });
        },
        thenErrorWith: (code, details) => {
          const caught = refusal(code);
          expect({ code: caught.code, details: caught.details }).toMatchObject({ code, details });
        },
        thenNothing: () => {
          const result = run();
          const values = Array.isArray(result) ? result : Object.values(result as object).flat();
          expect(values).toEqual([]);
        },
        result: run,
      };
    },
  }),
});

// ---- the subject decider reads two streams: given events are study events or recorded subject events ----

const STUDY_EVENT_TYPES = new Set(['StudyRegistered', 'ProtocolAmended', 'SubjectAddedToRoster', 'RosterEnrollmentDateCorrected', 'StudyLocked', 'StudyUnlocked']);

export type GivenEvent = StudyEvent | RecordedSubjectEvent;
export interface SubjectAndStudy {
  subject: SubjectState;
  study: StudyState;
}

export const subjectSpecDecider: SpecDecider<SubjectCommand, SubjectAndStudy, GivenEvent, SubjectDecision> = {
  decide: decideSubject,
  evolve: (state, event) =>
    STUDY_EVENT_TYPES.has(event.type)
      ? { ...state, study: evolveStudy(state.study, event as StudyEvent) }
      : { ...state, subject: evolveSubject(state.subject, event as RecordedSubjectEvent) },
  initialState: () => ({ subject: initialSubjectState(), study: initialStudyState() }),
};

export const subjectSpec = deciderSpec(subjectSpecDecider);

/**
 * Records subject events as the store would (ids `e1`, `e2`… in order, version, actor, time), so a
 * test can name the entry a correction targets.
 */
export class History {
  private readonly events: GivenEvent[] = [];
  private subjectVersion = 0;

  constructor(initial: readonly StudyEvent[] = []) {
    this.events.push(...initial);
  }

  study(...events: StudyEvent[]): this {
    this.events.push(...events);
    return this;
  }

  subject(events: readonly SubjectEvent[], options: { idempotencyKey?: string; actor?: typeof INVESTIGATOR; recordedAt?: string } = {}): this {
    // Stamped as the pipeline stamps it: the version of the protocol in force (the last registered or amended).
    const inForce = this.events.filter((e) => e.type === 'StudyRegistered' || e.type === 'ProtocolAmended').at(-1) as StudyEvent | undefined;
    const protocolVersion = inForce?.type === 'StudyRegistered' || inForce?.type === 'ProtocolAmended' ? inForce.data.protocol.version : null;
    for (const event of events) {
      this.subjectVersion += 1;
      this.events.push({
        ...event,
        eventId: `e${this.subjectVersion}`,
        streamVersion: this.subjectVersion,
        globalPosition: this.events.length + 1,
        recordedAt: options.recordedAt ?? '2026-06-01T10:00:00.000Z',
        actor: options.actor ?? INVESTIGATOR,
        idempotencyKey: options.idempotencyKey ?? null,
        protocolVersion,
      } as RecordedSubjectEvent);
    }
    return this;
  }

  /** Decides a command against the history so far and records its outcome (subject and study events). */
  run(command: SubjectCommand, metadata: CommandMetadata = meta(), options: { idempotencyKey?: string } = {}): this {
    const state = this.events.reduce(subjectSpecDecider.evolve, subjectSpecDecider.initialState());
    const decision = decideSubject(command, state, metadata);
    this.subject(decision.subject, { idempotencyKey: options.idempotencyKey, actor: metadata.actor });
    this.study(...decision.study);
    return this;
  }

  all(): GivenEvent[] {
    return [...this.events];
  }

  state(): SubjectAndStudy {
    return this.events.reduce(subjectSpecDecider.evolve, subjectSpecDecider.initialState());
  }

  /** The id of the n-th subject event (1-based) of a type. */
  idOf(type: SubjectEvent['type'], nth = 1): string {
    const found = this.events.filter((e): e is RecordedSubjectEvent => e.type === type && 'eventId' in e)[nth - 1];
    if (!found) throw new Error(`no ${type} #${nth} in the history`);
    return found.eventId;
  }
}

// ---- common histories ----------------------------------------------------------------------------
export const studyRegistered = (protocol = loadDefaultProtocol()): StudyEvent => ({ type: 'StudyRegistered', data: { studyId: STUDY_ID, protocol } });

export const screenedHistory = (subjectId = 'S001'): History =>
  new History([studyRegistered()]).run(subjectCommand('ScreenSubject', screening(), subjectId), meta(COORDINATOR));

export const eligibleHistory = (subjectId = 'S001'): History => screenedHistory(subjectId).run(subjectCommand('AssessEligibility', eligibility(), subjectId));

/** Eligible, baseline CT on 2026-01-04 (SOD 50 mm), enrolled on 2026-01-05 as subject number 1. */
export const enrolledHistory = (subjectId = 'S001'): History =>
  eligibleHistory(subjectId)
    .run(subjectCommand('RecordTumorAssessment', baselineAssessment(), subjectId), meta(COORDINATOR))
    .run(subjectCommand('EnrollSubject', { enrollmentDate: ENROLLMENT_DATE }, subjectId));
