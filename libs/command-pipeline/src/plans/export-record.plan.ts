import { createHash } from 'node:crypto';
import { canonicalize } from 'json-canonicalize';
import { decideDataExport, exportsStreamId, requireExportRole, type DataExported, type RecordDataExport } from '@trial-ledger/domain';
import { commandEndAt, type EventStore } from '@trial-ledger/event-store';
import { handleCommand, type CommandEnvelope, type CommandOutcome, type PipelineOptions } from '../handle-command';

/** What an export is, as its caller knows it before the first byte; the head and the digest are added here. */
export type DataExportRequest = Omit<RecordDataExport['data'], 'requestDigest' | 'throughPosition'> & {
  /** The position the export is bound to (default: the head of the log now), carried to the end of the command that wrote it. */
  readonly throughPosition?: number;
};

export interface RecordedExport {
  readonly outcome: CommandOutcome;
  readonly event: DataExported['data'];
}

/** SHA-256 of the canonical JSON of what was asked for and the position it is bound to. */
export const exportRequestDigest = (d: Pick<RecordDataExport['data'], 'kind' | 'format' | 'studyId' | 'filter' | 'throughPosition'>): string =>
  createHash('sha256').update(canonicalize({ kind: d.kind, format: d.format, studyId: d.studyId, filter: d.filter, throughPosition: d.throughPosition })).digest('hex');

/**
 * Records an export as `DataExported` in its exports stream (role checked first, by the domain), through
 * the one pipeline; the caller serves the data only after this resolved. Exports never conflict with
 * clinical writes: the stream holds nothing else, and a concurrent export is simply retried.
 */
export const recordDataExport = async (store: EventStore, request: DataExportRequest, envelope: CommandEnvelope, options: PipelineOptions = {}): Promise<RecordedExport> => {
  requireExportRole(request.kind, envelope.actor);
  const throughPosition = request.throughPosition === undefined ? (await store.head()).position : await commandEndAt(store, request.throughPosition);
  const data = { ...request, throughPosition, requestDigest: '' };
  const command: RecordDataExport = { type: 'RecordDataExport', data: { ...data, requestDigest: exportRequestDigest(data) } };
  const streamId = exportsStreamId(request.studyId);
  const outcome = await handleCommand(
    store,
    {
      authorize: (actor) => requireExportRole(request.kind, actor),
      primaryStream: streamId,
      readStreams: [],
      decide: (_streams, metadata) => ({ writes: [{ streamId, events: decideDataExport(command, metadata) }], protocolVersion: null }),
    },
    envelope,
    options,
  );
  return { outcome, event: outcome.events[0]?.data as DataExported['data'] };
};
