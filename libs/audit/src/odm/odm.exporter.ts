import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { notFound, ruleLookup, upcast, type RuleOf } from '@trial-ledger/domain';
import { commandEndAt, storeScheme, systemClock, type Clock, type EventStore } from '@trial-ledger/event-store';
import { listQueries, type QueryView } from '@trial-ledger/projections';
import { oid } from './odm-catalogue';
import { XmlStreamWriter } from './xml-stream-writer';
import { writeAdminData, writeMetaData } from './odm-metadata';
import { survey } from './odm-survey';
import { writeSubject } from './odm-clinical-data';

export const ODM_NAMESPACE = 'http://www.cdisc.org/ns/odm/v1.3';

export interface OdmExportOptions {
  readonly clock?: Clock;
  /** Only this study (default: every study in the ledger). */
  readonly studyId?: string;
  readonly sourceSystemVersion?: string;
  readonly prettyPrint?: boolean;
  /** Called after each subject is written (progress bars). */
  readonly onSubject?: (done: number, total: number) => void;
  /**
   * The log through this position only (default: through the head at the start): a recorded export
   * (`DataExported`) shows what its record names, not its own record nor anything appended after it.
   * A position inside a command's append is carried to that command's end (`commandEndAt`).
   */
  readonly throughPosition?: number;
}

export interface OdmExportSummary {
  readonly fileOid: string;
  readonly studies: readonly string[];
  readonly subjects: number;
  readonly transactions: number;
  readonly signatures: number;
  readonly headPosition: number;
  readonly headHash: string;
}

/**
 * CDISC ODM 1.3.2 transactional export of the ledger (SPEC §6): Study metadata describing every form and
 * item, AdminData (users with full names, the site, the four signature meanings), and ClinicalData as the
 * sequence of transactions the ledger recorded — each recorded event an Insert, each correction an Update
 * with its reason, each void a Remove — every item carrying its AuditRecord (user, location, server time,
 * reason, and the ledger event id as SourceID), and each e-signature as a Signature element.
 *
 * Streams: two passes over the log, one subject's stream in memory at a time, written through
 * a streaming XML writer with back-pressure between subjects.
 */
export const exportOdm = async (store: EventStore, out: Writable, options: OdmExportOptions = {}): Promise<OdmExportSummary> => {
  const clock = options.clock ?? systemClock;
  const now = clock.now();
  const through = options.throughPosition === undefined ? undefined : await commandEndAt(store, options.throughPosition);
  const found = await survey(store, options.studyId, through);
  // A mistyped study id must not yield a well-formed but empty "complete copy" and a success.
  if (options.studyId !== undefined && !found.studies.has(options.studyId)) {
    notFound('STUDY.NOT_FOUND', `No study ${options.studyId} in the ledger`, { studyId: options.studyId });
  }
  const studies = [...found.studies.values()];
  const headPosition = found.head?.globalPosition ?? 0;
  const headHash = found.head?.hash ?? '0'.repeat(64);
  const fileOid = `trial-ledger.${studies.map((s) => s.studyId).join('+') || 'empty'}.P${headPosition}.${now.replace(/[^0-9]/g, '')}`;
  // The writer emits many tiny chunks; they are joined into ~64 KiB writes, and the export waits for
  // the output to drain after every subject transaction so memory stays flat for any stream length.
  let pending = '';
  let waitForDrain = false;
  const flush = (): void => {
    if (pending.length === 0) return;
    if (!out.write(pending)) waitForDrain = true;
    pending = '';
  };
  const x = new XmlStreamWriter((chunk) => {
    pending += chunk;
    if (pending.length >= 64 * 1024) flush();
  }, options.prettyPrint ?? true);
  const drain = async (): Promise<void> => {
    if (waitForDrain) {
      waitForDrain = false;
      await once(out, 'drain');
    }
  };
  x.dec({ version: '1.0', encoding: 'UTF-8' });
  x.ele('ODM', {
    // The kind of store only: a file path or a host name is an internal detail the recipients of an export do not need.
    Description: `trial-ledger export of the ${storeScheme(store.description)} ledger through position ${headPosition} (chain hash ${headHash})`,
    FileType: 'Transactional',
    Granularity: 'All',
    Archival: 'Yes',
    FileOID: fileOid,
    CreationDateTime: now,
    ...(found.head ? { AsOfDateTime: found.head.metadata.recordedAt } : {}),
    ODMVersion: '1.3.2',
    Originator: 'trial-ledger',
    SourceSystem: 'trial-ledger',
    SourceSystemVersion: options.sourceSystemVersion ?? '0.1.0',
  }, ODM_NAMESPACE);
  for (const info of studies) writeMetaData(x, info, found.catalogue);
  writeAdminData(x, studies, found.users, now);
  await drain();
  let transactions = 0;
  let signatures = 0;
  let subjects = 0;
  const total = studies.reduce((n, s) => n + s.subjects.size, 0);
  for (const info of studies) {
    x.ele('ClinicalData', { StudyOID: oid.study(info.studyId), MetaDataVersionOID: oid.metaDataVersion(info.studyId) });
    const monitoring = found.monitoring.get(info.studyId);
    const queries = new Map<string, QueryView[]>();
    for (const query of monitoring ? listQueries(monitoring, now) : []) {
      const mine = queries.get(query.subjectId) ?? [];
      mine.push(query);
      queries.set(query.subjectId, mine);
    }
    for (const [streamId, subjectId] of info.subjects) {
      const events = (await store.readStream(streamId, { toPosition: headPosition })).map((e) => upcast(e));
      const rulesAt = (position: number): RuleOf | null => {
        const known = info.schedules.filter((p) => p.position <= position);
        return known.length === 0 ? null : ruleLookup(known);
      };
      const [t, s] = await writeSubject(x, subjectId, events, drain, { catalogue: found.catalogue, monitoring, queries, now, rulesAt });
      transactions += t;
      signatures += s;
      subjects += 1;
      options.onSubject?.(subjects, total);
      await drain();
    }
    x.up();
  }
  x.up();
  x.end();
  flush();
  await drain();
  return { fileOid, studies: studies.map((s) => s.studyId), subjects, transactions, signatures, headPosition, headHash };
};
