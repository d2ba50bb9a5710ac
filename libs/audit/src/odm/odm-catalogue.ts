/**
 * The metadata of an ODM export, discovered from the events themselves so the file describes every
 * field it carries (ODM 1.3.2 §3.1 MetaDataVersion): each clinical event type becomes a FormDef with
 * one ItemGroupDef of its scalar fields (objects flattened: `window.dueOn`) and one repeating
 * ItemGroupDef per list of records (`targetLesions`). Types are inferred from the values seen.
 */
export type OdmDataType = 'text' | 'integer' | 'float' | 'boolean' | 'date' | 'datetime';

export interface ItemSpec {
  /** Field path in the event data (`doseMg`, `window.dueOn`); becomes the ItemDef Name and Alias. */
  readonly path: string;
  dataType: OdmDataType | null;
  /** Longest value seen, in characters — Unicode code points, as XML counts them (ODM `Length`). */
  length: number;
  /** Most decimals seen (ODM `SignificantDigits` for floats). */
  decimals: number;
}

export interface GroupSpec {
  /** The list field (`targetLesions`); null for the event's own item group. */
  readonly field: string | null;
  readonly items: Map<string, ItemSpec>;
}

export interface FormSpec {
  readonly eventType: string;
  readonly main: GroupSpec;
  readonly lists: Map<string, GroupSpec>;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A real calendar day (xs:date: year 0001 on), not free text shaped like one (`2026-13-45`, `2026-02-30`). */
const isRealDate = (text: string): boolean => {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  date.setUTCFullYear(year);
  return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
};

const typeOf = (value: unknown): OdmDataType | null => {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  if (typeof value === 'string') {
    if (DATE.test(value) && isRealDate(value)) return 'date';
    if (DATETIME.test(value) && isRealDate(value) && !Number.isNaN(Date.parse(value))) return 'datetime';
    return 'text';
  }
  return 'text';
};

const merge = (a: OdmDataType | null, b: OdmDataType | null): OdmDataType | null => {
  if (a === null) return b;
  if (b === null || a === b) return a;
  if ((a === 'integer' && b === 'float') || (a === 'float' && b === 'integer')) return 'float';
  return 'text';
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isRecordList = (value: unknown): value is Array<Record<string, unknown>> => Array.isArray(value) && value.length > 0 && value.every(isRecord);

/** A scalar's ODM `Value` text. Lists of scalars are joined with "; " (e.g. failed eligibility criteria); an empty one is no value. */
export const odmValue = (value: unknown): string | null => {
  if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) return null;
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join('; ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

/**
 * Flattens nested objects into `a.b` paths; top-level lists of records are returned separately. An
 * empty list can only be told apart by other events of the type: it is a list of records where
 * `isRecordListField` says the field is one (a correction removing every lesion row), else a scalar
 * with no value (a correction clearing the failed eligibility criteria, a list of words).
 */
export const flattenFields = (
  data: Record<string, unknown>,
  isRecordListField: (field: string) => boolean = () => false,
): { scalars: Map<string, unknown>; lists: Map<string, Array<Record<string, unknown>>> } => {
  const scalars = new Map<string, unknown>();
  const lists = new Map<string, Array<Record<string, unknown>>>();
  const walk = (prefix: string, value: unknown, top: boolean): void => {
    if (top && (isRecordList(value) || (Array.isArray(value) && value.length === 0 && isRecordListField(prefix)))) {
      lists.set(prefix, value as Array<Record<string, unknown>>);
    } else if (isRecord(value)) {
      for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v, false);
    } else {
      scalars.set(prefix, value);
    }
  };
  for (const [k, v] of Object.entries(data)) walk(k, v, true);
  return { scalars, lists };
};

/** The number of Unicode code points in `text` (a lone surrogate counts as one, as its U+FFFD in the file does). */
const characterCount = (text: string): number => {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
};

const observe = (group: GroupSpec, path: string, value: unknown): void => {
  const spec = group.items.get(path) ?? { path, dataType: null, length: 1, decimals: 0 };
  spec.dataType = merge(spec.dataType, typeOf(value));
  const text = odmValue(value);
  // ODM's Length counts characters (XML's code points), not UTF-16 code units: an emoji is one, not two.
  if (text !== null) spec.length = Math.max(spec.length, characterCount(text));
  if (typeof value === 'number' && !Number.isInteger(value)) spec.decimals = Math.max(spec.decimals, (String(value).split('.')[1] ?? '').length);
  group.items.set(path, spec);
};

/** Collects forms, groups and items over a pass of the log. */
export class OdmCatalogue {
  readonly forms = new Map<string, FormSpec>();

  /** Records the fields of a clinical event (or of a correction's new values for its target type). */
  observe(eventType: string, data: Record<string, unknown>): void {
    const form = this.forms.get(eventType) ?? { eventType, main: { field: null, items: new Map() }, lists: new Map() };
    this.forms.set(eventType, form);
    const { scalars, lists } = flattenFields(data, (field) => form.lists.has(field));
    for (const [path, value] of scalars) observe(form.main, path, value);
    for (const [field, rows] of lists) {
      const group = form.lists.get(field) ?? { field, items: new Map() };
      form.lists.set(field, group);
      for (const row of rows) for (const [k, v] of flattenFields(row).scalars) observe(group, k, v);
    }
  }

  /** True if `field` of `eventType` is a list of records (a repeating item group). */
  isList(eventType: string, field: string): boolean {
    return this.forms.get(eventType)?.lists.has(field) ?? false;
  }
}

/** OIDs: stable, readable and unique within the file. */
export const oid = {
  study: (studyId: string): string => `ST.${studyId}`,
  metaDataVersion: (studyId: string): string => `MDV.${studyId}`,
  studyEvent: 'SE.CASEBOOK',
  form: (type: string): string => `F.${type.toUpperCase()}`,
  group: (type: string, field: string | null): string => (field === null ? `IG.${type.toUpperCase()}` : `IG.${type.toUpperCase()}.${field.toUpperCase()}`),
  item: (type: string, field: string | null, path: string): string =>
    field === null ? `IT.${type.toUpperCase()}.${path.toUpperCase()}` : `IT.${type.toUpperCase()}.${field.toUpperCase()}.${path.toUpperCase()}`,
  user: (userId: string): string => `USR.${userId}`,
  location: 'LOC.SITE',
  signature: (meaning: string): string => `SD.${meaning.toUpperCase()}`,
};
