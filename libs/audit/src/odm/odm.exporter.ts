import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { notFound, ruleLookup, SIGNATURE_MEANINGS, SIGNATURE_MEANING_WORDS, signatureMeaningInWords, signatureScopeInWords, signatureStatus, personInWords, upcast, type Actor, type DosingRule, type Recorded, type RuleOf } from '@trial-ledger/domain';
import { commandEndAt, storeScheme, systemClock, type Clock, type EventStore, type StoredEvent } from '@trial-ledger/event-store';
import { streamOwner } from '../shared/stream-ids';
import { eventTypeInWords } from '../trail/event-words';
import { redactedData } from '../trail/redaction';
import { flattenFields, OdmCatalogue, oid, odmValue, type FormSpec, type GroupSpec } from './odm-catalogue';
import { el, textEl, type X } from './odm-xml';
import { XmlStreamWriter } from './xml-stream-writer';
import { hasAnnotations, writeAnnotationCodeLists, writeEntryAnnotations } from './odm-annotations';
import { DoseWindowTracker, type MovedWindow } from './odm-dose-windows';
import { RECIST_FIGURE_ITEMS, RecistFiguresTracker, type MovedFigures } from './odm-recist-figures';
import { entryMonitoringOf, listQueries, monitoringFolder, toProjected, type MonitoringState, type QueryView } from '@trial-ledger/projections';

export const ODM_NAMESPACE = 'http://www.cdisc.org/ns/odm/v1.3';

/** Subject-stream events that are not forms of their own but transactions on, or signatures of, others. */
const META_TYPES = new Set(['EntryCorrected', 'EntryVoided', 'CasebookSigned', 'RecordSigned']);

/** Legal wording of each signature meaning (Part 11 §11.50(a)(3), §11.100). */
const MEANINGS: Readonly<Record<string, { meaning: string; legal: string }>> = {
  authorship: { meaning: SIGNATURE_MEANING_WORDS.authorship, legal: 'Electronic signature under 21 CFR Part 11 (§11.50, §11.100, §11.200): the signer is the author of the signed data.' },
  review: { meaning: SIGNATURE_MEANING_WORDS.review, legal: 'Electronic signature under 21 CFR Part 11 (§11.50, §11.100, §11.200): the signer reviewed the signed data.' },
  approval: { meaning: SIGNATURE_MEANING_WORDS.approval, legal: 'Electronic signature under 21 CFR Part 11 (§11.50, §11.100, §11.200), legally binding equivalent of a handwritten signature (§11.100(c)).' },
  responsibility: { meaning: SIGNATURE_MEANING_WORDS.responsibility, legal: 'Electronic signature under 21 CFR Part 11 (§11.50, §11.100, §11.200): the signer takes responsibility for the signed data.' },
};

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

interface StudyInfo {
  readonly studyId: string;
  title: string;
  registeredOn: string | null;
  readonly subjects: Map<string, string>; // streamId → subjectId, in order of first appearance
  /** The dosing schedule of each protocol version, from the log position it was registered or amended at. */
  readonly schedules: Array<{ readonly position: number; readonly version: number; readonly rule: DosingRule }>;
}

interface Survey {
  readonly studies: Map<string, StudyInfo>;
  readonly users: Map<string, Actor>;
  readonly catalogue: OdmCatalogue;
  head: StoredEvent | null;
  /** Per study: the monitoring read model (queries, SDV), for the annotations. */
  readonly monitoring: Map<string, MonitoringState>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Pass 1 over the log: studies, subjects, users and the field catalogue (memory: small maps only). */
const survey = async (store: EventStore, onlyStudy?: string, throughPosition?: number): Promise<Survey> => {
  const result: Survey = { studies: new Map(), users: new Map(), catalogue: new OdmCatalogue(), head: null, monitoring: new Map() };
  const study = (studyId: string): StudyInfo => {
    const found = result.studies.get(studyId) ?? { studyId, title: studyId, registeredOn: null, subjects: new Map(), schedules: [] };
    result.studies.set(studyId, found);
    return found;
  };
  const monitoringFolders = new Map<string, ReturnType<typeof monitoringFolder>>();
  for await (const stored of store.readAll({ batchSize: 2000, ...(throughPosition !== undefined ? { toPosition: throughPosition } : {}) })) {
    // Values in the current schema of their type, as the casebook reads them (the hash stays the stored event's).
    const event = upcast(stored);
    result.head = event;
    const { actor } = event.metadata;
    result.users.set(actor.userId, actor);
    if (event.type === 'UserCreated') {
      const d = event.data as Partial<Actor>;
      if (d.userId && d.username && d.fullName && d.role) result.users.set(d.userId, { userId: d.userId, username: d.username, fullName: d.fullName, role: d.role });
    }
    const owner = streamOwner(event.streamId);
    if (!owner.studyId || (onlyStudy !== undefined && owner.studyId !== onlyStudy)) continue;
    // Queries and SDV are annotations on the entries they concern, not subjects or forms of their own.
    const folder = monitoringFolders.get(owner.studyId) ?? monitoringFolder(owner.studyId);
    monitoringFolders.set(owner.studyId, folder);
    folder.add(toProjected(event));
    if (event.streamId.startsWith('query-') || event.streamId.startsWith('sdv-')) continue;
    if (event.streamId.startsWith('study-')) {
      const info = study(owner.studyId);
      if (event.type === 'StudyRegistered') {
        const protocol = event.data.protocol as { title?: unknown } | undefined;
        if (typeof protocol?.title === 'string') info.title = protocol.title;
        info.registeredOn = event.metadata.recordedAt.slice(0, 10);
      }
      if (event.type === 'StudyRegistered' || event.type === 'ProtocolAmended') {
        const protocol = event.data.protocol as { version?: unknown; treatment?: DosingRule } | undefined;
        if (protocol?.treatment && typeof protocol.version === 'number') info.schedules.push({ position: event.globalPosition, version: protocol.version, rule: protocol.treatment });
      }
      continue;
    }
    if (!owner.subjectId) continue;
    const info = study(owner.studyId);
    if (!info.subjects.has(event.streamId)) info.subjects.set(event.streamId, owner.subjectId);
    if (!META_TYPES.has(event.type)) result.catalogue.observe(event.type, redactedData(event));
    else if (event.type === 'EntryCorrected' && typeof event.data.targetType === 'string' && isRecord(event.data.after)) {
      result.catalogue.observe(event.data.targetType, event.data.after);
    }
  }
  for (const [studyId, folder] of monitoringFolders) result.monitoring.set(studyId, folder.state());
  return result;
};


const translated = (x: X, name: string, text: string): void =>
  el(x, name, {}, () => textEl(x, 'TranslatedText', text, { 'xml:lang': 'en' }));

const writeMetaData = (x: X, info: StudyInfo, catalogue: OdmCatalogue): void => {
  const forms = [...catalogue.forms.values()];
  el(x, 'Study', { OID: oid.study(info.studyId) }, () => {
    el(x, 'GlobalVariables', {}, () => {
      textEl(x, 'StudyName', info.studyId);
      textEl(x, 'StudyDescription', info.title);
      textEl(x, 'ProtocolName', info.studyId);
    });
    el(x, 'MetaDataVersion', { OID: oid.metaDataVersion(info.studyId), Name: 'trial-ledger event catalogue', Description: 'One repeating form per kind of recorded clinical event; every field of the event is an item.' }, () => {
      el(x, 'Protocol', {}, () => el(x, 'StudyEventRef', { StudyEventOID: oid.studyEvent, OrderNumber: '1', Mandatory: 'Yes' }));
      el(x, 'StudyEventDef', { OID: oid.studyEvent, Name: 'Subject casebook', Repeating: 'No', Type: 'Common' }, () => {
        translated(x, 'Description', 'Every recorded fact about a subject, one form per event, in the order recorded.');
        forms.forEach((form, i) => el(x, 'FormRef', { FormOID: oid.form(form.eventType), OrderNumber: String(i + 1), Mandatory: 'No' }));
      });
      for (const form of forms) {
        el(x, 'FormDef', { OID: oid.form(form.eventType), Name: eventTypeInWords(form.eventType), Repeating: 'Yes' }, () => {
          el(x, 'ItemGroupRef', { ItemGroupOID: oid.group(form.eventType, null), OrderNumber: '1', Mandatory: 'Yes' });
          [...form.lists.keys()].forEach((field, i) =>
            el(x, 'ItemGroupRef', { ItemGroupOID: oid.group(form.eventType, field), OrderNumber: String(i + 2), Mandatory: 'No' }),
          );
          el(x, 'Alias', { Context: 'trial-ledger event type', Name: form.eventType });
        });
      }
      const groups = forms.flatMap((form) => [[form, form.main] as const, ...[...form.lists.values()].map((g) => [form, g] as const)]);
      for (const [form, group] of groups) {
        const name = group.field === null ? eventTypeInWords(form.eventType) : `${eventTypeInWords(form.eventType)}: ${group.field}`;
        el(x, 'ItemGroupDef', { OID: oid.group(form.eventType, group.field), Name: name, Repeating: group.field === null ? 'No' : 'Yes' }, () => {
          [...group.items.values()].forEach((item, i) =>
            el(x, 'ItemRef', { ItemOID: oid.item(form.eventType, group.field, item.path), OrderNumber: String(i + 1), Mandatory: 'No' }),
          );
        });
      }
      for (const [form, group] of groups) writeItemDefs(x, form, group);
      writeAnnotationCodeLists(x);
    });
  });
};

const writeItemDefs = (x: X, form: FormSpec, group: GroupSpec): void => {
  for (const item of group.items.values()) {
    const dataType = item.dataType ?? 'text';
    const attributes: Record<string, string> = { OID: oid.item(form.eventType, group.field, item.path), Name: item.path, DataType: dataType };
    if (dataType === 'text' || dataType === 'integer') attributes.Length = String(item.length);
    if (dataType === 'float') {
      attributes.Length = String(item.length);
      attributes.SignificantDigits = String(item.decimals);
    }
    el(x, 'ItemDef', attributes, () => {
      translated(x, 'Question', item.path.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/\./g, ' — ').toLowerCase());
      el(x, 'Alias', { Context: 'trial-ledger field', Name: group.field === null ? item.path : `${group.field}[].${item.path}` });
    });
  }
};

const writeAdminData = (x: X, studies: StudyInfo[], users: Map<string, Actor>, now: string): void => {
  el(x, 'AdminData', {}, () => {
    for (const user of users.values()) {
      el(x, 'User', { OID: oid.user(user.userId), UserType: user.role === 'investigator' ? 'Investigator' : 'Other' }, () => {
        textEl(x, 'LoginName', user.username);
        // The username beside the full name: a signature's UserRef is shown by this name, and full names are not unique.
        textEl(x, 'DisplayName', personInWords(user));
        textEl(x, 'FullName', user.fullName);
        textEl(x, 'Organization', `trial-ledger role: ${user.role}`);
        el(x, 'LocationRef', { LocationOID: oid.location });
      });
    }
    el(x, 'Location', { OID: oid.location, Name: 'Investigational site (single-site study)', LocationType: 'Site' }, () => {
      for (const info of studies) {
        el(x, 'MetaDataVersionRef', { StudyOID: oid.study(info.studyId), MetaDataVersionOID: oid.metaDataVersion(info.studyId), EffectiveDate: info.registeredOn ?? now.slice(0, 10) });
      }
    });
    for (const meaning of SIGNATURE_MEANINGS) {
      el(x, 'SignatureDef', { OID: oid.signature(meaning), Methodology: 'Electronic' }, () => {
        textEl(x, 'Meaning', MEANINGS[meaning].meaning);
        textEl(x, 'LegalReason', MEANINGS[meaning].legal);
      });
    }
  });
};

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
 * A dose window moved by another entry (a lower cycle entered late, corrected or voided): the dose's form
 * in context, its window items updated, audited to the event that moved them. The window is derived, not
 * entered, so the reason says so; the file's last value of every window item is then the casebook's.
 */
const writeMovedWindow = (ctx: SubjectContext, event: StoredEvent, dose: StoredEvent, window: MovedWindow['window']): void => {
  const { x } = ctx;
  const reason = `Derived protocol window of cycle ${String(dose.data.cycle)} re-derived from the dose of the cycle below after ${eventTypeInWords(event.type)} (ledger event ${event.eventId})`;
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
const writeSubject = async (x: X, subjectId: string, events: StoredEvent[], drain: () => Promise<void>, annotations: SubjectAnnotations): Promise<[number, number]> => {
  const ctx: SubjectContext = { x, subjectId, byId: new Map(events.map((e) => [e.eventId, e])), catalogue: annotations.catalogue, first: true };
  const signatures = new Map(signatureStatus(events.map(toRecorded)).map((s) => [s.signatureEventId, s]));
  let transactions = 0;
  let signed = 0;
  const windows = new DoseWindowTracker(annotations.rulesAt);
  const recist = new RecistFiguresTracker();
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
