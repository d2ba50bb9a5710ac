import type { CommandOutcome } from './handle-command';

/**
 * A failure after the ledger recorded a command. The events stand (the log is append-only), so the
 * answer must not say "nothing was written": whoever renders the error answers with what was
 * recorded instead (the API: the events' ids and the new stream version).
 */
export class RecordedButUnansweredError extends Error {
  readonly code = 'COMMAND.RECORDED_ANSWER_FAILED';

  constructor(
    readonly outcome: CommandOutcome,
    readonly failure: unknown,
  ) {
    super(`The command was recorded (${outcome.events.length} event(s)) but its answer could not be built: ${failure instanceof Error ? failure.message : String(failure)}`);
    this.name = 'RecordedButUnansweredError';
  }
}

/**
 * Builds the answer to a recorded command; any failure in doing so becomes a
 * `RecordedButUnansweredError` carrying the outcome, so it cannot pass for a refusal.
 */
export const answerRecorded = async <T>(outcome: CommandOutcome, build: () => T | Promise<T>): Promise<T> => {
  try {
    return await build();
  } catch (failure) {
    if (outcome.events.length === 0) throw failure;
    throw new RecordedButUnansweredError(outcome, failure);
  }
};
