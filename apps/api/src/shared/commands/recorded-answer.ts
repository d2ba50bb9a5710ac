import { HttpStatus } from '@nestjs/common';
import type { CommandOutcome } from '@trial-ledger/command-pipeline';

/** The body of a command that was recorded but whose usual answer could not be built. */
export interface RecordedAnswerBody {
  readonly recorded: true;
  readonly detail: string;
  readonly eventIds: readonly string[];
  readonly streamVersion: number | null;
}

const attempt = <T>(read: () => T, fallback: T): T => {
  try {
    return read();
  } catch {
    return fallback;
  }
};

/**
 * What was written, read defensively from the outcome (whatever broke the usual answer may break a
 * field here too): 201 with the recorded event ids, so a client knows the command took effect.
 */
export const recordedAnswer = (outcome: CommandOutcome): { status: number; body: RecordedAnswerBody } => ({
  status: HttpStatus.CREATED,
  body: {
    recorded: true,
    detail: 'The command was recorded; only building the usual answer failed. Do not repeat it: read the events by their ids.',
    eventIds: attempt(() => outcome.events.map((e) => String(e.eventId)), []),
    streamVersion: attempt(() => (Number.isInteger(outcome.primaryVersion) ? outcome.primaryVersion : null), null),
  },
});
