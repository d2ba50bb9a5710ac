import { EventEmitter } from 'node:events';
import {
  ANY,
  BACKWARDS,
  END,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AppendStreamState,
  type EventData,
  type ReadRevision,
} from '@kurrent/kurrentdb-client';
import type { KurrentClientLike } from '../kurrentdb/kurrentdb-event-store';

interface FakeRecord {
  streamId: string;
  id: string;
  type: string;
  revision: bigint;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
  created: Date;
}

/**
 * An in-memory stand-in for the parts of `KurrentDBClient` the adapter uses, emulating the server's
 * per-stream expected-revision check (atomic per append, after a turn of the event loop so that
 * concurrent appenders really interleave) and its errors. It lets the adapter's own logic — the
 * ledger index, retries after losing the ledger race, the chain, link streams — run the contract
 * suite where no KurrentDB server can be installed. It proves nothing about the server itself.
 */
export class FakeKurrentDbClient implements KurrentClientLike {
  readonly streams = new Map<string, FakeRecord[]>();
  private readonly appended = new EventEmitter();

  async appendToStream(streamName: string, events: EventData | EventData[], options: { streamState?: AppendStreamState } = {}) {
    await new Promise((resolve) => setImmediate(resolve));
    const stream = this.streams.get(streamName) ?? [];
    const current = stream.length === 0 ? NO_STREAM : BigInt(stream.length - 1);
    const expected = options.streamState ?? ANY;
    const ok =
      expected === ANY ||
      (expected === NO_STREAM && current === NO_STREAM) ||
      (expected === STREAM_EXISTS && current !== NO_STREAM) ||
      (typeof expected === 'bigint' && current === expected);
    if (!ok) throw new WrongExpectedVersionError(undefined, { streamName, expected, current });
    for (const event of Array.isArray(events) ? events : [events]) {
      const isJson = event.contentType === 'application/json';
      stream.push({
        streamId: streamName,
        id: event.id,
        type: event.type,
        revision: BigInt(stream.length),
        isJson,
        // What the server keeps is bytes: JSON goes through a serialisation round trip.
        data: isJson ? JSON.parse(JSON.stringify(event.data)) : event.data,
        metadata: event.metadata === undefined ? undefined : JSON.parse(JSON.stringify(event.metadata)),
        created: new Date(),
      });
    }
    this.streams.set(streamName, stream);
    this.appended.emit(streamName);
    return { success: true, nextExpectedRevision: BigInt(stream.length - 1) };
  }

  readStream(streamName: string, options: { fromRevision?: ReadRevision; maxCount?: number | bigint; direction?: string } = {}) {
    const streams = this.streams;
    return (async function* () {
      await Promise.resolve();
      const stream = streams.get(streamName);
      if (!stream) throw new StreamNotFoundError(undefined, streamName);
      const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
      const backwards = options.direction === BACKWARDS;
      const from = options.fromRevision ?? (backwards ? END : START);
      let index = from === START ? 0 : from === END ? stream.length - 1 : Number(from);
      for (let n = 0; n < max && index >= 0 && index < stream.length; n += 1) {
        yield { event: { ...stream[index] } };
        index += backwards ? -1 : 1;
      }
    })() as unknown as ReturnType<KurrentClientLike['readStream']>;
  }

  subscribeToStream(streamName: string) {
    const subscription = new EventEmitter() as EventEmitter & { unsubscribe(): Promise<void> };
    const listener = (): boolean => subscription.emit('data', {});
    this.appended.on(streamName, listener);
    subscription.unsubscribe = async () => {
      this.appended.off(streamName, listener);
    };
    return subscription as unknown as ReturnType<KurrentClientLike['subscribeToStream']>;
  }

  /** Several stores (standing for several processes) may share one fake "server": nothing to release. */
  async dispose(): Promise<void> {
    return undefined;
  }
}
