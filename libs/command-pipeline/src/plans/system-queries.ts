import { queryStreamId, RESTATED, SYSTEM_ACTOR, subjectStreamId, studyStreamId, systemQueryDeviations, type MonitoringCommand, type SubjectCommand } from '@trial-ledger/domain';
import type { StoredEvent, EventStore } from '@trial-ledger/event-store';
import type { CommandEnvelope, CommandOutcome } from '../handle-command';
import { queryIdFor } from '../query-ids';
import { foldStudyStream } from './stream-fold';

/** Query texts are at most 2,000 characters (the domain's free-text bound). */
const MAX_TEXT = 2000;
const NOT_ENTRIES: ReadonlySet<string> = new Set(['ProtocolDeviationDetected', 'EntryCorrected', 'EntryVoided', 'CasebookSigned', 'RecordSigned']);

/**
 * The idempotency key of the system query a detected deviation opens — at most one per deviation. It is
 * named by the deviation's place in its stream, not its random event id, so the query id derived from it
 * (and so the query's stream name) is the same whichever store records the same history.
 */
export const systemQueryKey = (deviation: Pick<StoredEvent, 'streamId' | 'streamVersion'>): string => `system-query:${deviation.streamId}@${deviation.streamVersion}`;

/**
 * The entry a system query points at: the entry the deviation names, else the entry the same command
 * recorded (the dose or the assessment that revealed it), else the deviation itself.
 */
const targetOf = (deviation: StoredEvent, written: readonly StoredEvent[]): string => {
  const related = (deviation.data as { relatedEventId?: unknown }).relatedEventId;
  if (typeof related === 'string') return related;
  return written.find((e) => e.streamId === deviation.streamId && !NOT_ENTRIES.has(e.type))?.eventId ?? deviation.eventId;
};

export type RunCommand = (command: MonitoringCommand, envelope: CommandEnvelope) => Promise<CommandOutcome>;

/**
 * Edit checks (ICH E6(R3) 5.18): every deviation a subject command detected, of a category the protocol
 * lists under `monitoring.systemQueryDeviations`, opens a query to the site as the `system` actor, caused
 * by the deviation and correlated with the command. The query is keyed by the deviation, so a retry
 * never opens a second one — and a retried command (an idempotent repeat) opens any query its first
 * run could not, e.g. when the process stopped in between. The subject command is recorded by then and
 * stays recorded: a query that cannot be opened (the study locked meanwhile, the store gone) is reported to the caller
 * as the ids of the deviations left without one, never as a failure of the command.
 */
export const raiseSystemQueries = async (store: EventStore, command: SubjectCommand, outcome: CommandOutcome, run: RunCommand): Promise<string[]> => {
  const subjectStream = subjectStreamId(command.studyId, command.subjectId);
  const deviations = outcome.events.filter((e) => e.type === 'ProtocolDeviationDetected' && e.streamId === subjectStream);
  if (deviations.length === 0) return [];
  const study = foldStudyStream(await store.readStream(studyStreamId(command.studyId)));
  if (study.status === 'unregistered') return [];
  const categories = new Set(systemQueryDeviations(study.protocol));
  const missed: string[] = [];
  for (const deviation of deviations) {
    const data = deviation.data as { category?: unknown; description?: unknown };
    if (typeof data.category !== 'string' || !categories.has(data.category)) continue;
    const text = `Protocol deviation detected (${data.category}): ${String(data.description)}. Please confirm or correct the entry.`.slice(0, MAX_TEXT);
    try {
      await run(
        { type: 'OpenQuery', studyId: command.studyId, subjectId: command.subjectId, payload: { queryId: queryIdFor(SYSTEM_ACTOR.userId, systemQueryKey(deviation)), targetEventId: targetOf(deviation, outcome.events), fieldPath: null, text, deviationEventId: deviation.eventId } },
        { actor: SYSTEM_ACTOR, source: 'system', correlationId: deviation.metadata.correlationId ?? undefined, causationId: deviation.eventId, idempotencyKey: systemQueryKey(deviation) },
      );
    } catch {
      // Whatever refused it, the subject command is already on record; the caller gets the deviation's id.
      missed.push(deviation.eventId);
    }
  }
  return missed;
};

/**
 * The other half of the edit check: a deviation the same command withdrew (`EntryVoided` of a
 * `ProtocolDeviationDetected` — a dose date corrected into its window, a baseline entered late) no longer
 * holds, so the system query it opened is closed by the system, caused by the withdrawal, instead of
 * leaving the site a question about a deviation that is off the record and the study an open query it
 * cannot resolve. A query the monitor already closed or cancelled is left as it is. Like the opening,
 * this runs after the subject command is recorded and never turns its answer into a failure; a retried
 * command closes what its first run could not (the close is keyed by the withdrawal).
 *
 * A deviation the site voided itself (`VoidEntry` naming the deviation: "judged acceptable") was not
 * withdrawn by a change of the facts — the entry it was derived from still says what it said — so its
 * query stays open for the monitor to weigh the void and close; the site's own void never closes the
 * monitor's question, and the system never writes that the entry changed when it did not.
 */
export const closeWithdrawnDeviationQueries = async (store: EventStore, command: SubjectCommand, outcome: CommandOutcome, run: RunCommand): Promise<void> => {
  const subjectStream = subjectStreamId(command.studyId, command.subjectId);
  const ownEvents = outcome.events.filter((e) => e.streamId === subjectStream);
  const voidedByHand = command.type === 'VoidEntry' ? ownEvents[0] : undefined;
  const withdrawals = ownEvents.filter(
    (e) => e !== voidedByHand && e.type === 'EntryVoided' && (e.data as { targetType?: unknown }).targetType === 'ProtocolDeviationDetected',
  );
  for (const withdrawal of withdrawals) {
    try {
      const deviation = await store.getEvent(String((withdrawal.data as { targetEventId?: unknown }).targetEventId));
      if (!deviation || deviation.streamId !== subjectStream) continue;
      const queryId = queryIdFor(SYSTEM_ACTOR.userId, systemQueryKey(deviation));
      if ((await store.streamVersion(queryStreamId(command.studyId, queryId))) === 0) continue;
      const category = String((deviation.data as { category?: unknown }).category);
      // A deviation that still holds but was recorded again as the corrected entry now reads gets a query of its own.
      const text = String((withdrawal.data as { reason?: unknown }).reason).startsWith(RESTATED)
        ? `The deviation (${category}) was restated when the entry it was derived from was corrected; its new record has a query of its own. Closed by the system.`
        : `The deviation (${category}) no longer holds: it was withdrawn when the entry it was derived from changed. Closed by the system.`;
      await run(
        { type: 'CloseQuery', studyId: command.studyId, subjectId: command.subjectId, payload: { queryId, text } },
        {
          actor: SYSTEM_ACTOR,
          source: 'system',
          correlationId: withdrawal.metadata.correlationId ?? undefined,
          causationId: withdrawal.eventId,
          idempotencyKey: `system-query-close:${withdrawal.streamId}@${withdrawal.streamVersion}`,
        },
      );
    } catch {
      // Closed or cancelled by the monitor already, the study locked meanwhile, the store gone: the command stays recorded.
    }
  }
};
