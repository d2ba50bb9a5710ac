import type { StoredEvent } from '@trial-ledger/event-store';
import type { CommandOutcome } from './handle-command';
import { RecordedButUnansweredError, answerRecorded } from './recorded-outcome';

const outcome = (events: number): CommandOutcome => ({
  events: Array.from({ length: events }, (_, i) => ({ eventId: `e${i}` }) as StoredEvent),
  primaryStream: 'subject-X-S1',
  primaryVersion: events,
  lastPosition: events,
  repeated: false,
});

describe('answerRecorded: nothing after an append passes for "nothing was written"', () => {
  it('answers with what the builder returns', async () => {
    await expect(answerRecorded(outcome(1), () => 'answer')).resolves.toBe('answer');
  });

  it('a failure after events were recorded becomes RecordedButUnansweredError carrying the outcome', async () => {
    const recorded = outcome(2);
    const failure = await answerRecorded(recorded, () => {
      throw new TypeError('mapper bug');
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RecordedButUnansweredError);
    expect((failure as RecordedButUnansweredError).outcome).toBe(recorded);
    expect((failure as RecordedButUnansweredError).code).toBe('COMMAND.RECORDED_ANSWER_FAILED');
  });

  it('when the command recorded nothing, the failure is passed on as it is', async () => {
    const refusal = new Error('refused');
    await expect(answerRecorded(outcome(0), () => Promise.reject(refusal))).rejects.toBe(refusal);
  });
});
