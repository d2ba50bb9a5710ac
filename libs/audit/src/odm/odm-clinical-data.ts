import { signatureMeaningInWords, signatureScopeInWords, signatureStatus, personInWords, type Recorded, type RuleOf } from '@trial-ledger/domain';
import type { StoredEvent } from '@trial-ledger/event-store';
import { entryMonitoringOf, type MonitoringState, type QueryView } from '@trial-ledger/projections';
import { eventTypeInWords } from '../trail/event-words';
import { redactedData } from '../trail/redaction';
import { flattenFields, oid, odmValue, type OdmCatalogue } from './odm-catalogue';
import { el, textEl, type X } from './odm-xml';
import { hasAnnotations, writeEntryAnnotations } from './odm-annotations';
import { AE_OUTCOME_ITEMS, AdverseEventOutcomeTracker, type MovedOutcome } from './odm-adverse-event-outcomes';
import { DoseWindowTracker, type MovedWindow } from './odm-dose-windows';
import { RECIST_FIGURE_ITEMS, RecistFiguresTracker, type MovedFigures } from './odm-recist-figures';
import { isRecord, META_TYPES } from './odm-survey';

/** Who, where, when, why and which ledger event (ODM AuditRecord; Part 11 §11.10(e)). */
const auditRecord = (x: X, event: StoredEvent, reason: string | null): void => {
  el(x, 'AuditRecord', {}, () => {
    el(x, 'UserRef', { UserOID: oid.user(event.metadata.actor.userId) });
    el(x, 'LocationRef', { LocationOID: oid.location });
    textEl(x, 'DateTimeStamp', event.metadata.recordedAt);
    if (reason) textEl(x, 'ReasonForChange', reason);
    textEl(x, 'SourceID', event.eventId);
  });
};

const itemData = (x: X, itemOid: string, value: unknown, transaction: string, event: StoredEvent, reason: string | null): void => {
  const text = odmValue(value);
  el(x, 'ItemData', text === null ? { ItemOID: itemOid, TransactionType: transaction, IsNull: 'Yes' } : { ItemOID: itemOid, TransactionType: transaction, Value: text }, () =>
    auditRecord(x, event, reason),
  );
};

const listRows = (x: X, type: string, field: string, rows: Array<Record<string, unknown>>, transaction: string, event: StoredEvent, reason: string | null): void => {
  rows.forEach((row, i) => {
    el(x, 'ItemGroupData', { ItemGroupOID: oid.group(type, field), ItemGroupRepeatKey: String(i + 1), TransactionType: transaction }, () => {
      for (const [path, value] of flattenFields(row).scalars) itemData(x, oid.item(type, field, path), value, transaction, event, reason);
    });
  });
};

interface SubjectContext {
  readonly x: X;
  readonly subjectId: string;
  readonly byId: Map<string, StoredEvent>;
  /** The file's metadata: which fields of a form are repeating groups (an empty list there is rows removed). */
  readonly catalogue: OdmCatalogue;
  /** Open a SubjectData/StudyEventData pair for one transaction (Insert for the subject's first). */
  first: boolean;
}

const inCasebook = (ctx: SubjectContext, body: () => void, subjectLevel?: () => void): void => {
  const tx = ctx.first ? 'Insert' : 'Context';
  ctx.first = false;
  el(ctx.x, 'SubjectData', { SubjectKey: ctx.subjectId, TransactionType: tx }, () => {
    subjectLevel?.();
    el(ctx.x, 'StudyEventData', { StudyEventOID: oid.studyEvent, TransactionType: tx }, body);
  });
};

/** A recorded clinical event: an inserted form with every field an inserted item. */
const writeInsert = (ctx: SubjectContext, event: StoredEvent): void => {
  const { x } = ctx;
  const { scalars, lists } = flattenFields(redactedData(event), (field) => ctx.catalogue.isList(event.type, field));
  inCasebook(ctx, () =>
    el(x, 'FormData', { FormOID: oid.form(event.type), FormRepeatKey: String(event.streamVersion), TransactionType: 'Insert' }, () => {
      el(x, 'ItemGroupData', { ItemGroupOID: oid.group(event.type, null), TransactionType: 'Insert' }, () => {
        for (const [path, value] of scalars) itemData(x, oid.item(event.type, null, path), value, 'Insert', event, event.metadata.reason);
      });
      for (const [field, rows] of lists) listRows(x, event.type, field, rows, 'Insert', event, event.metadata.reason);
    }),
  );
};

const reasonOf = (event: StoredEvent): string | null =>
  event.metadata.reason ?? (typeof event.data.reason === 'string' ? event.data.reason : null);

/** A correction: the target form in context, each changed item updated, with the reason for change. */
const writeCorrection = (ctx: SubjectContext, event: StoredEvent, target: StoredEvent): void => {
  const { x } = ctx;
  const after = isRecord(event.data.after) ? event.data.after : {};
  const before = isRecord(event.data.before) ? event.data.before : {};
  const reason = reasonOf(event);
  const { scalars, lists } = flattenFields(after, (field) => ctx.catalogue.isList(target.type, field));
  const resultingType = typeof event.data.resultingType === 'string' ? event.data.resultingType : null;
  inCasebook(ctx, () =>
    el(x, 'FormData', { FormOID: oid.form(target.type), FormRepeatKey: String(target.streamVersion), TransactionType: 'Context' }, () => {
      // A correction can turn the entry into another kind (a screen failure re-assessed as eligible): the
      // form keeps its original definition, so the annotation says what the entry now is.
      if (resultingType !== null) {
        el(x, 'Annotation', { SeqNum: '1' }, () =>
          textEl(x, 'Comment', `Corrected by ${personInWords(event.metadata.actor)} at ${event.metadata.recordedAt} (ledger event ${event.eventId}): this ${eventTypeInWords(target.type)} entry is now ${eventTypeInWords(resultingType)} (${resultingType}).`),
        );
      }
      if (scalars.size > 0) {
        el(x, 'ItemGroupData', { ItemGroupOID: oid.group(target.type, null), TransactionType: 'Context' }, () => {
          for (const [path, value] of scalars) itemData(x, oid.item(target.type, null, path), value, 'Update', event, reason);
        });
      }
      for (const [field, rows] of lists) {
        listRows(x, target.type, field, rows, 'Upsert', event, reason);
        const old = Array.isArray(before[field]) ? (before[field] as unknown[]).length : 0;
        for (let i = rows.length; i < old; i += 1) {
          el(x, 'ItemGroupData', { ItemGroupOID: oid.group(target.type, field), ItemGroupRepeatKey: String(i + 1), TransactionType: 'Remove' }, () => auditRecord(x, event, reason));
        }
      }
    }),
  );
};

/**
 * A dose window moved by another entry (a lower cycle entered late, corrected or voided, or the enrollment date
 * corrected): the dose's form
 * in context, its window items updated, audited to the event that moved them. The window is derived, not
 * entered, so the reason says so; the file's last value of every window item is then the casebook's.
 */
const writeMovedWindow = (ctx: SubjectContext, event: StoredEvent, dose: StoredEvent, window: MovedWindow['window']): void => {
  const { x } = ctx;
  const from = event.type === 'EntryCorrected' && event.data.targetType === 'SubjectEnrolled' ? 'the enrollment date' : 'the dose of the cycle below';
  const reason = `Derived protocol window of cycle ${String(dose.data.cycle)} re-derived from ${from} after ${eventTypeInWords(event.type)} (ledger event ${event.eventId})`;
  inCasebook(ctx, () =>
    el(x, 'FormData', { FormOID: oid.form(dose.type), FormRepeatKey: String(dose.streamVersion), TransactionType: 'Context' }, () =>
      el(x, 'ItemGroupData', { ItemGroupOID: oid.group(dose.type, null), TransactionType: 'Context' }, () => {
        for (const [path, value] of [['window.dueOn', window.dueOn], ['window.from', window.from], ['window.to', window.to]]) {
          itemData(x, oid.item(dose.type, null, path), value, 'Update', event, reason);
        }
      }),
    ),
  );
};

/**
 * A scan's RECIST figures re-judged by another entry (a scan entered late, an earlier scan or the baseline
 * corrected or voided, a baseline entered late): the scan's form in context, its SOD and responses updated,
 * audited to the event that moved them; the file's last value of each is then the casebook's.
 */
const writeMovedFigures = (ctx: SubjectContext, event: StoredEvent, scan: StoredEvent, figures: MovedFigures['figures']): void => {
  const { x } = ctx;
  const reason = `Derived RECIST 1.1 figures of the scan of ${String(scan.data.assessmentDate)} re-derived in date order after ${eventTypeInWords(event.type)} (ledger event ${event.eventId})`;
  inCasebook(ctx, () =>
    el(x, 'FormData', { FormOID: oid.form(scan.type), FormRepeatKey: String(scan.streamVersion), TransactionType: 'Context' }, () =>
      el(x, 'ItemGroupData', { ItemGroupOID: oid.group(scan.type, null), TransactionType: 'Context' }, () => {
        for (const item of RECIST_FIGURE_ITEMS) itemData(x, oid.item(scan.type, null, item), figures[item], 'Update', event, reason);
      }),
    ),
  );
};

/**
 * An adverse event's current outcome moved by an outcome entry (recorded, corrected or voided): the AE's form in
 * context, its outcome (SDTM AEOUT) and end date (AEENDTC) items updated, audited to the event that moved them;
 * the file's last value of each is then the casebook's.
 */
const writeMovedOutcome = (ctx: SubjectContext, event: StoredEvent, adverseEvent: StoredEvent, current: MovedOutcome['current']): void => {
  const { x } = ctx;
  // Named by its event id: its term and onset as recorded may have been corrected since.
  const reason = `Current outcome of adverse event ${adverseEvent.eventId} re-derived after ${eventTypeInWords(event.type)} (ledger event ${event.eventId})`;
  inCasebook(ctx, () =>
    el(x, 'FormData', { FormOID: oid.form(adverseEvent.type), FormRepeatKey: String(adverseEvent.streamVersion), TransactionType: 'Context' }, () =>
      el(x, 'ItemGroupData', { ItemGroupOID: oid.group(adverseEvent.type, null), TransactionType: 'Context' }, () => {
        for (const item of AE_OUTCOME_ITEMS) itemData(x, oid.item(adverseEvent.type, null, item), current[item], 'Update', event, reason);
      }),
    ),
  );
};

/** A void (entered in error): the target form removed, with the reason. */
const writeVoid = (ctx: SubjectContext, event: StoredEvent, target: StoredEvent): void => {
  const { x } = ctx;
  inCasebook(ctx, () =>
    el(x, 'FormData', { FormOID: oid.form(target.type), FormRepeatKey: String(target.streamVersion), TransactionType: 'Remove' }, () =>
      auditRecord(x, event, reasonOf(event)),
    ),
  );
};

type SignatureRow = ReturnType<typeof signatureStatus>[number];

/** ODM Signature: who (UserRef), where, the meaning (SignatureRef) and when; status and binding as an annotation. */
const signature = (x: X, sig: SignatureRow, event: StoredEvent): void => {
  el(x, 'Signature', {}, () => {
    el(x, 'UserRef', { UserOID: oid.user(sig.signerUserId) });
    el(x, 'LocationRef', { LocationOID: oid.location });
    el(x, 'SignatureRef', { SignatureOID: oid.signature(sig.meaning) });
    textEl(x, 'DateTimeStamp', sig.signedAt ?? event.metadata.recordedAt);
  });
};

const signatureNote = (x: X, sig: SignatureRow): void => {
  const status = sig.status === 'superseded' ? `SUPERSEDED by later change(s) ${sig.supersededBy.join(', ')}` : 'valid';
  el(x, 'Annotation', { SeqNum: '1' }, () =>
    textEl(
      x,
      'Comment',
      `Signed by ${personInWords({ fullName: sig.signerFullName, username: sig.signerUsername })}, meaning: ${signatureMeaningInWords(sig.meaning)}, at ${sig.signedAt}; ` +
        `covers ${signatureScopeInWords({ ...sig, targetType: (sig as { targetType?: string }).targetType ?? null }, eventTypeInWords)}; ` +
        `binds ${sig.hashAlgorithm} ${sig.signedHash} of the subject record's hash chain through version ${sig.signedThroughVersion}; status: ${status}.`,
    ),
  );
};

const writeSignature = (ctx: SubjectContext, event: StoredEvent, sig: SignatureRow, target: StoredEvent | null): void => {
  const { x } = ctx;
  if (event.type === 'RecordSigned' && target) {
    inCasebook(ctx, () =>
      el(x, 'FormData', { FormOID: oid.form(target.type), FormRepeatKey: String(target.streamVersion), TransactionType: 'Context' }, () => {
        signature(x, sig, event);
        signatureNote(x, sig);
      }),
    );
    return;
  }
  const tx = ctx.first ? 'Insert' : 'Context';
  ctx.first = false;
  el(x, 'SubjectData', { SubjectKey: ctx.subjectId, TransactionType: tx }, () => {
    signature(x, sig, event);
    signatureNote(x, sig);
  });
};

const toRecorded = (e: StoredEvent): Recorded =>
  ({ type: e.type, data: e.data, eventId: e.eventId, streamVersion: e.streamVersion, globalPosition: e.globalPosition, recordedAt: e.metadata.recordedAt, actor: e.metadata.actor, idempotencyKey: e.metadata.idempotencyKey, protocolVersion: e.metadata.protocolVersion ?? null }) as Recorded;

/** Queries and SDV of one subject's entries, written after its recorded transactions. */
interface SubjectAnnotations {
  readonly catalogue: OdmCatalogue;
  readonly monitoring: MonitoringState | undefined;
  /** The study's queries by subject, listed once for the whole export. */
  readonly queries: ReadonlyMap<string, readonly QueryView[]>;
  readonly now: string;
  /** The dosing schedules by protocol version registered by a log position (for the dose windows other entries move). */
  readonly rulesAt: (globalPosition: number) => RuleOf | null;
}

/** Writes one subject's transactions in the order recorded, then its entries' annotations; returns [transactions, signatures]. */
export const writeSubject = async (x: X, subjectId: string, events: StoredEvent[], drain: () => Promise<void>, annotations: SubjectAnnotations): Promise<[number, number]> => {
  const ctx: SubjectContext = { x, subjectId, byId: new Map(events.map((e) => [e.eventId, e])), catalogue: annotations.catalogue, first: true };
  const signatures = new Map(signatureStatus(events.map(toRecorded)).map((s) => [s.signatureEventId, s]));
  let transactions = 0;
  let signed = 0;
  const windows = new DoseWindowTracker(annotations.rulesAt);
  const recist = new RecistFiguresTracker();
  const outcomes = new AdverseEventOutcomeTracker();
  for (const event of events) {
    const target = typeof event.data.targetEventId === 'string' ? (ctx.byId.get(event.data.targetEventId) ?? null) : null;
    if (event.type === 'EntryCorrected' && target) writeCorrection(ctx, event, target);
    else if (event.type === 'EntryVoided' && target) writeVoid(ctx, event, target);
    else if ((event.type === 'CasebookSigned' || event.type === 'RecordSigned') && signatures.has(event.eventId)) {
      writeSignature(ctx, event, signatures.get(event.eventId) as SignatureRow, target);
      signed += 1;
    } else if (!META_TYPES.has(event.type)) writeInsert(ctx, event);
    else continue;
    transactions += 1;
    for (const moved of windows.next(toRecorded(event))) {
      const dose = ctx.byId.get(moved.doseEventId);
      if (!dose) continue;
      writeMovedWindow(ctx, event, dose, moved.window);
      transactions += 1;
    }
    for (const moved of recist.next(toRecorded(event))) {
      const scan = ctx.byId.get(moved.scanEventId);
      if (!scan) continue;
      writeMovedFigures(ctx, event, scan, moved.figures);
      transactions += 1;
    }
    for (const moved of outcomes.next(toRecorded(event))) {
      const adverseEvent = ctx.byId.get(moved.adverseEventId);
      if (!adverseEvent) continue;
      writeMovedOutcome(ctx, event, adverseEvent, moved.current);
      transactions += 1;
    }
    await drain();
  }
  const monitored = annotations.monitoring ? entryMonitoringOf(annotations.monitoring, subjectId, annotations.now, annotations.queries.get(subjectId) ?? []) : new Map();
  for (const event of events) {
    const monitoring = monitored.get(event.eventId);
    if (!monitoring || !hasAnnotations(monitoring)) continue;
    inCasebook(ctx, () => writeEntryAnnotations(x, annotations.catalogue, event, monitoring));
    transactions += 1;
    await drain();
  }
  return [transactions, signed];
};
