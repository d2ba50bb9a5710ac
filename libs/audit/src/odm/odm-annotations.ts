import { personInWords } from '@trial-ledger/domain';
import type { EntryMonitoring, EntrySdvView, QueryView } from '@trial-ledger/projections';
import type { OdmCatalogue } from './odm-catalogue';
import { oid } from './odm-catalogue';
import { el, textEl, type X } from './odm-xml';

/**
 * Monitor queries and source data verification in the ODM export, as ODM 1.3.2 `Annotation`s (a
 * `Comment` with the thread, `Flag`s with the status from the code lists below) on the item a query
 * targets — or on the form, for a query on the whole entry and for SDV, which verifies the whole entry.
 */
export const CODE_LISTS = {
  queryStatus: { oid: 'CL.QUERY_STATUS', name: 'Query status', values: ['open', 'answered', 'closed', 'closed-modified', 'cancelled'] },
  sdvStatus: { oid: 'CL.SDV_STATUS', name: 'Source data verification status', values: ['verified', 'revoked'] },
  flagType: { oid: 'CL.ANNOTATION_FLAG_TYPE', name: 'Annotation flag type', values: ['QUERY', 'SDV'] },
} as const;

/** The code lists the flags refer to, written at the end of each MetaDataVersion. */
export const writeAnnotationCodeLists = (x: X): void => {
  for (const list of Object.values(CODE_LISTS)) {
    el(x, 'CodeList', { OID: list.oid, Name: list.name, DataType: 'text' }, () => {
      for (const value of list.values) el(x, 'EnumeratedItem', { CodedValue: value });
    });
  }
};

const flag = (x: X, value: string, list: { oid: string }, type: 'QUERY' | 'SDV'): void =>
  el(x, 'Flag', {}, () => {
    textEl(x, 'FlagValue', value, { CodeListOID: list.oid });
    textEl(x, 'FlagType', type, { CodeListOID: CODE_LISTS.flagType.oid });
  });

const threadText = (q: QueryView): string =>
  [
    `Query ${q.queryId} (${q.origin === 'system' ? 'opened by the system for a detected deviation' : 'opened by the monitor'}), status ${q.status}, age ${q.ageDays} days.`,
    ...q.thread.map((t) => {
      const who = `${personInWords(t.by)} at ${t.recordedAt}`;
      if (t.kind === 'target-corrected' || t.kind === 'target-voided') return `${t.kind === 'target-corrected' ? 'Entry corrected' : 'Entry voided'} by ${who}${t.whileOpen ? ' while the query was open' : ''}: ${t.reason ?? ''}`;
      return `${t.kind} by ${who}${t.category ? ` [${t.category}]` : ''}${t.text ? `: ${t.text}` : ''}`;
    }),
  ].join(' | ');

const queryAnnotation = (x: X, q: QueryView, seq: number): void =>
  el(x, 'Annotation', { SeqNum: String(seq) }, () => {
    textEl(x, 'Comment', threadText(q), { SponsorOrSite: 'Sponsor' });
    flag(x, q.status, CODE_LISTS.queryStatus, 'QUERY');
  });

const sdvAnnotation = (x: X, sdv: EntrySdvView, seq: number): void =>
  el(x, 'Annotation', { SeqNum: String(seq) }, () => {
    const verified = `Source data verified by ${sdv.verifiedBy ? personInWords({ fullName: sdv.verifiedBy.fullName, username: sdv.verifiedBy.username }) : '? (?)'} at ${sdv.verifiedAt ?? '?'}`;
    const revoked = sdv.revokedBy ? `; SDV revoked by ${sdv.revokedBy.kind} at ${sdv.revokedBy.recordedAt} (event ${sdv.revokedBy.eventId})` : '';
    textEl(x, 'Comment', `${verified}${revoked}.`, { SponsorOrSite: 'Sponsor' });
    flag(x, sdv.status === 'revoked' ? 'revoked' : 'verified', CODE_LISTS.sdvStatus, 'SDV');
  });

/** Where a query's field path lands in the catalogue: a main-group item, or an item of a repeating list row. */
const itemOf = (catalogue: OdmCatalogue, type: string, fieldPath: string | null): { group: string | null; repeatKey: string | null; path: string } | null => {
  if (fieldPath === null) return null;
  const form = catalogue.forms.get(type);
  if (!form) return null;
  if (form.main.items.has(fieldPath)) return { group: null, repeatKey: null, path: fieldPath };
  const [field, index, ...rest] = fieldPath.split('.');
  const list = form.lists.get(field);
  if (list && /^\d+$/.test(index ?? '') && list.items.has(rest.join('.'))) return { group: field, repeatKey: String(Number(index) + 1), path: rest.join('.') };
  return null;
};

/**
 * One `Context` transaction per annotated entry: the target form, its SDV and whole-entry queries as
 * form annotations, and each field query on its item (an `ItemData` in context, carrying no value).
 */
export const writeEntryAnnotations = (x: X, catalogue: OdmCatalogue, target: { type: string; streamVersion: number }, monitoring: EntryMonitoring): void => {
  const onItems = new Map<string, { group: string | null; repeatKey: string | null; path: string; queries: QueryView[] }>();
  const onForm: QueryView[] = [];
  for (const q of monitoring.queries) {
    const item = itemOf(catalogue, target.type, q.target.fieldPath);
    if (!item) {
      onForm.push(q);
      continue;
    }
    const key = `${item.group ?? ''}#${item.repeatKey ?? ''}#${item.path}`;
    onItems.set(key, { ...item, queries: [...(onItems.get(key)?.queries ?? []), q] });
  }
  el(x, 'FormData', { FormOID: oid.form(target.type), FormRepeatKey: String(target.streamVersion), TransactionType: 'Context' }, () => {
    let seq = 0;
    if (monitoring.sdv.status !== 'not-verified') sdvAnnotation(x, monitoring.sdv, (seq += 1));
    for (const q of onForm) queryAnnotation(x, q, (seq += 1));
    for (const item of onItems.values()) {
      const groupAttributes: Record<string, string> = { ItemGroupOID: oid.group(target.type, item.group), TransactionType: 'Context' };
      if (item.repeatKey !== null) groupAttributes.ItemGroupRepeatKey = item.repeatKey;
      el(x, 'ItemGroupData', groupAttributes, () =>
        el(x, 'ItemData', { ItemOID: oid.item(target.type, item.group, item.path), TransactionType: 'Context' }, () => {
          item.queries.forEach((q, i) => queryAnnotation(x, q, i + 1));
        }),
      );
    }
  });
};

/** Whether an entry has anything to annotate. */
export const hasAnnotations = (m: EntryMonitoring): boolean => m.queries.length > 0 || m.sdv.status !== 'not-verified';
