import { invalid, notFound, subjectStreamId, type Actor, type MonitoringCommand, type SubjectCommand } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import { handleCommand, type CommandEnvelope, type CommandOutcome, type CommandPlan, type PipelineOptions } from '../handle-command';
import { isMonitoringCommand, isStudyCommand, type Command } from './command.types';
import { monitoringCommandPlan, resolveQuerySubject } from './monitoring-command.plan';
import { closeWithdrawnDeviationQueries, raiseSystemQueries } from './system-queries';
import { registeredStudyIds, studyCommandPlan } from './study-command.plan';
import { subjectCommandPlan } from './subject-command.plan';

/** The plan for any command, dispatched on its `type`. */
export const commandPlan = (command: Command): CommandPlan => {
  if (isStudyCommand(command)) return studyCommandPlan(command);
  if (isMonitoringCommand(command)) return monitoringCommandPlan(command);
  return subjectCommandPlan(command);
};

/**
 * A `CorrectEntry`/`VoidEntry` may name its target by the idempotency key of the command that wrote
 * it (SPEC appendix A). The target is the first event of this subject's stream whose own (hashed)
 * metadata carries that key — a dose, not the deviation detected with it; keys are per user, so
 * when several users wrote this subject under the same key, the acting user's own entry is preferred.
 */
export const resolveTargetIdempotencyKey = async (store: EventStore, command: SubjectCommand, actor?: Actor): Promise<SubjectCommand> => {
  if (command.type === 'RecordAdverseEventOutcome') return resolveAdverseEventIdempotencyKey(store, command, actor);
  if (command.type !== 'CorrectEntry' && command.type !== 'VoidEntry') return command;
  const payload = command.payload ?? ({} as typeof command.payload);
  const key = payload.targetIdempotencyKey;
  if (typeof key !== 'string' || key === '' || (typeof payload.targetEventId === 'string' && payload.targetEventId !== '')) return command;
  const streamId = subjectStreamId(command.studyId, command.subjectId);
  const carrying = (await store.eventsWithIdempotencyKey(key)).filter((e) => e.streamId === streamId && e.metadata.idempotencyKey === key);
  const target = carrying.find((e) => e.metadata.actor.userId === actor?.userId) ?? carrying[0];
  if (target) {
    const { targetIdempotencyKey: _key, ...rest } = payload;
    return { ...command, payload: { ...rest, targetEventId: target.eventId } } as SubjectCommand;
  }
  return notFound('ENTRY.NOT_FOUND', `No entry of subject ${command.subjectId} was written with idempotency key ${key}`, { targetIdempotencyKey: key });
};

/**
 * A `RecordAdverseEventOutcome` may name its adverse event by the idempotency key of the `ReportAdverseEvent`
 * that wrote it (`adverseEventIdempotencyKey`), as an import file can, which never sees event ids: resolved here
 * as a correction's target is, and recorded as the event's `adverseEventId`.
 */
const resolveAdverseEventIdempotencyKey = async (store: EventStore, command: Extract<SubjectCommand, { type: 'RecordAdverseEventOutcome' }>, actor?: Actor): Promise<SubjectCommand> => {
  const { adverseEventIdempotencyKey: key, ...rest }: { adverseEventIdempotencyKey?: unknown; adverseEventId?: unknown } = command.payload ?? {};
  if (key === undefined || key === null) return command;
  if (rest.adverseEventId !== undefined && rest.adverseEventId !== null) {
    invalid('VALIDATION.FAILED', 'adverseEventId and adverseEventIdempotencyKey are alternatives: give one, not both', { fields: ['adverseEventId', 'adverseEventIdempotencyKey'] });
  }
  if (typeof key !== 'string' || key === '') invalid('VALIDATION.INVALID_TYPE', 'adverseEventIdempotencyKey must be a non-empty string', { field: 'adverseEventIdempotencyKey' });
  const streamId = subjectStreamId(command.studyId, command.subjectId);
  const carrying = (await store.eventsWithIdempotencyKey(key as string)).filter((e) => e.streamId === streamId && e.metadata.idempotencyKey === key && e.type === 'AdverseEventReported');
  const target = carrying.find((e) => e.metadata.actor.userId === actor?.userId) ?? carrying[0];
  if (!target) return notFound('AE.NOT_FOUND', `No adverse event of subject ${command.subjectId} was reported with idempotency key ${String(key)}`, { adverseEventIdempotencyKey: key });
  return { ...command, payload: { ...rest, adverseEventId: target.eventId } } as SubjectCommand;
};

const reasonOf = (command: Command): string | null => {
  const payload = command.payload as { reason?: unknown } | undefined;
  return typeof payload?.reason === 'string' && payload.reason.trim() !== '' ? payload.reason.trim() : null;
};

/**
 * Runs one command through the pipeline: resolves an idempotency-key target, picks the plan and
 * hands it to `handleCommand` (read → decide → append with expected versions → retry or refuse). A
 * reason carried in the payload (corrections, voids, amendments, lock/unlock) is stamped on the
 * events' metadata too, where the audit trail looks for it.
 */
export const executeCommand = async (
  store: EventStore,
  command: Command,
  envelope: CommandEnvelope,
  options: PipelineOptions = {},
): Promise<CommandOutcome> => {
  // The role first: resolving a target key reads the ledger, which an unauthorised user must not probe.
  commandPlan(command).authorize?.(envelope.actor);
  const resolved = isStudyCommand(command)
    ? command
    : isMonitoringCommand(command)
      ? await resolveQuerySubject(store, command)
      : await resolveTargetIdempotencyKey(store, command, envelope.actor);
  const reason = envelope.reason ?? reasonOf(resolved);
  // A study is registered against the ids already in the ledger (ids equal ignoring case are refused).
  const plan = isStudyCommand(resolved) && resolved.type === 'RegisterStudy' ? studyCommandPlan(resolved, await registeredStudyIds(store)) : commandPlan(resolved);
  const outcome = await handleCommand(store, plan, { ...envelope, reason }, options);
  if (!isStudyCommand(resolved) && !isMonitoringCommand(resolved)) {
    // The command is recorded: nothing after the append may turn its answer into a failure (a retry
    // of the same key opens any system query this could not).
    const run = (query: MonitoringCommand, queryEnvelope: CommandEnvelope) => executeCommand(store, query, queryEnvelope, options);
    await closeWithdrawnDeviationQueries(store, resolved, outcome, run).catch(() => undefined);
    await raiseSystemQueries(store, resolved, outcome, run).catch(() => []);
  }
  return outcome;
};
