import { ApiProperty } from '@nestjs/swagger';
import type { CommandOutcome } from '@trial-ledger/command-pipeline';

export class RecordedEventSummary {
  @ApiProperty({ description: 'UUID v7 of the event; the target of later corrections and voids.' })
  eventId!: string;
  @ApiProperty({ example: 'DoseAdministered' })
  type!: string;
  @ApiProperty({ description: '1-based position in the whole log.' })
  globalPosition!: number;
  @ApiProperty({ description: '1-based position inside its own stream.' })
  streamVersion!: number;
}

/**
 * What a command returns. The same body answers an idempotent repeat, so a client that retried after a
 * timeout cannot tell the difference except by the `Idempotent-Replayed: true` header.
 */
export class CommandAcceptedResponse {
  @ApiProperty({ type: [String] })
  eventIds!: string[];
  @ApiProperty({ type: [RecordedEventSummary] })
  events!: RecordedEventSummary[];
  @ApiProperty({ description: "The command's stream version after it; send it back as If-Match: \"<version>\"." })
  streamVersion!: number;
  @ApiProperty({ description: 'Log position after the command: pass it as ?minPosition= to a read-model query to read your own write.' })
  position!: number;
}

export const toCommandAccepted = (outcome: CommandOutcome): CommandAcceptedResponse => ({
  eventIds: outcome.events.map((e) => e.eventId),
  events: outcome.events.map((e) => ({ eventId: e.eventId, type: e.type, globalPosition: e.globalPosition, streamVersion: e.streamVersion })),
  streamVersion: outcome.primaryVersion,
  position: outcome.lastPosition,
});
