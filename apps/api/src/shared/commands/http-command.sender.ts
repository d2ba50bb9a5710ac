import { HttpStatus, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { answerRecorded, type CommandOutcome } from '@trial-ledger/command-pipeline';
import { etagFor } from '../http/if-match';
import { IDEMPOTENT_REPLAYED_HEADER } from '../http/idempotency-key';
import type { HttpResponse } from '../http/http.types';
import { toCommandAccepted, type CommandAcceptedResponse } from './command-accepted.response';
import type { LedgerCommand } from './ledger-command';

/**
 * Sends a command through the CommandBus and turns the outcome into the HTTP answer:
 * - 201 when events were recorded, with `ETag: "<stream version>"`;
 * - 200 when the command decided nothing (e.g. locking a study that is already locked);
 * - an idempotent repeat answers exactly as the first request did (same status, same body) plus
 *   `Idempotent-Replayed: true` (draft-ietf-httpapi-idempotency-key-header: the stored response is returned);
 * - if building that answer fails after the append, the problem filter answers 201 with the recorded event ids.
 */
@Injectable()
export class HttpCommandSender {
  constructor(private readonly commandBus: CommandBus) {}

  async send(message: LedgerCommand, response: HttpResponse, location?: string): Promise<CommandAcceptedResponse> {
    const outcome: CommandOutcome = await this.commandBus.execute(message);
    // From here on the events are in the ledger: a failure answers with what was written, not as a refusal.
    return answerRecorded(outcome, () => {
      response.status(outcome.events.length > 0 ? HttpStatus.CREATED : HttpStatus.OK);
      response.header('ETag', etagFor(outcome.primaryVersion));
      if (outcome.repeated) response.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
      if (location && outcome.events.length > 0) response.header('Location', location);
      return toCommandAccepted(outcome);
    });
  }
}
