/** A list inside a document, by the keys that lead to it, e.g. `['subject', 'entries']`. */
export type ListPath = readonly string[];

/** A list a layout keeps in chunk rows of its own. */
export interface ListLayout {
  readonly path: ListPath;
  /**
   * Items per chunk row: an appended item rewrites the last chunk, of at most this many items, so
   * larger items want smaller chunks; fewer, larger chunks are fewer rows to read and check on a load.
   */
  readonly chunk: number;
  /**
   * `[field, of]`: an item whose `field` holds the very object its `of` holds (an entry's current value
   * before any correction is its recorded event) is saved with `SAME_OBJECT` there, and given that
   * object back when loaded, so the JSON of the object is saved once. The field never holds that string.
   */
  readonly sameAs?: readonly [string, string];
}

/**
 * Which lists of the document saved under `key` grow with its history and are saved in rows of their
 * own, in chunks: saving the document after an event then writes its head and the chunks that event
 * changed, not its whole history. None (or no layout): the document is saved whole, as one row.
 */
export type DocumentLayout = (key: string) => readonly ListLayout[];

/** Saved in place of a field that holds the very object of another field of its item (`ListLayout.sameAs`). */
export const SAME_OBJECT = '\u0000same-object';

/** A list of a document as it was last saved, which tells which of its chunks a new save must write. */
export interface SavedList {
  /** Its layout, as saved (JSON): chunks saved under another layout (another chunk size) are all written again. */
  readonly layout: string;
  /**
   * The items as saved: the very objects, since a projection's documents are immutable and `evolve`
   * keeps the items it did not change, an item of the same identity needs no writing.
   */
  readonly items: readonly unknown[];
  /** How many chunk rows the list has in the store. */
  readonly chunks: number;
}

/** The rows a save writes for one document: its head, the chunks that changed, and the chunks it drops. */
export interface DocumentRows {
  /** The document's JSON, each split list replaced by its length. */
  readonly head: string;
  /** The split lists' layouts (JSON), saved with the head so a reader needs no layout; null: saved whole. */
  readonly layouts: string | null;
  readonly chunks: ReadonlyArray<{ readonly list: number; readonly chunk: number; readonly items: string }>;
  /** Per list, the saved chunks from `from` on, which no longer exist (a list that shrank, or is gone). */
  readonly drops: ReadonlyArray<{ readonly list: number; readonly from: number }>;
  /** The lists as this save leaves them. */
  readonly lists: readonly SavedList[];
}

const hasOwn = (value: unknown, key: string): value is Record<string, unknown> => typeof value === 'object' && value !== null && Object.hasOwn(value, key);

const valueAt = (doc: unknown, path: ListPath): unknown => {
  let value = doc;
  for (const key of path) {
    if (!hasOwn(value, key)) return undefined;
    value = value[key];
  }
  return value;
};

/** A copy of `doc` with the value at `path` replaced; the key keeps its place, so the JSON keeps its order. */
const replaceAt = (doc: unknown, path: ListPath, value: unknown): unknown => {
  const [key, ...rest] = path;
  const object = doc as Record<string, unknown>;
  return { ...object, [key]: rest.length === 0 ? value : replaceAt(object[key], rest, value) };
};

/** Whether the saved chunk at `from` (of `size` items at most) held the very items `items` holds up to `to`. */
const sameItems = (items: readonly unknown[], saved: SavedList, from: number, to: number, size: number): boolean => {
  if (Math.min(saved.items.length, from + size) !== to) return false;
  for (let i = from; i < to; i += 1) if (items[i] !== saved.items[i]) return false;
  return true;
};

/** A chunk's JSON; items whose `sameAs` field holds the very object of the other are written with the marker there. */
const chunkJson = (items: readonly unknown[], sameAs: ListLayout['sameAs']): string => {
  if (sameAs === undefined) return JSON.stringify(items);
  const [field, of] = sameAs;
  return JSON.stringify(items.map((item) => (hasOwn(item, field) && hasOwn(item, of) && typeof item[field] === 'object' && item[field] === item[of] ? { ...item, [field]: SAME_OBJECT } : item)));
};

/**
 * The rows that save `doc` when it was last saved as `before`: its head, and of each list the layout
 * names the chunks whose items are not the very ones saved (an appended item: the last chunk; a
 * correction: the chunks it rewrote); chunks past a list's new end are dropped.
 */
export const documentRows = (doc: unknown, layouts: readonly ListLayout[], before: readonly SavedList[]): DocumentRows => {
  let head = doc;
  const lists: SavedList[] = [];
  const kept: string[] = [];
  const chunks: Array<DocumentRows['chunks'][number]> = [];
  const drops: Array<DocumentRows['drops'][number]> = [];
  for (const layout of layouts) {
    const items = valueAt(doc, layout.path);
    if (!Array.isArray(items)) continue;
    const list = lists.length;
    const text = layoutText(layout);
    const saved = before[list]?.layout === text ? before[list] : undefined;
    const count = Math.ceil(items.length / layout.chunk);
    if (saved?.items !== items) {
      for (let chunk = 0; chunk < count; chunk += 1) {
        const from = chunk * layout.chunk;
        const to = Math.min(items.length, from + layout.chunk);
        if (saved !== undefined && chunk < saved.chunks && sameItems(items, saved, from, to, layout.chunk)) continue;
        chunks.push({ list, chunk, items: chunkJson(items.slice(from, to), layout.sameAs) });
      }
    }
    if ((before[list]?.chunks ?? 0) > count) drops.push({ list, from: count });
    head = replaceAt(head, layout.path, items.length);
    lists.push({ layout: text, items, chunks: count });
    kept.push(text);
  }
  for (let list = lists.length; list < before.length; list += 1) if (before[list].chunks > 0) drops.push({ list, from: 0 });
  return { head: JSON.stringify(head), layouts: kept.length === 0 ? null : `[${kept.join(',')}]`, chunks, drops, lists };
};

/** A saved layout is read from the file: its keys are assigned into parsed objects, where `__proto__` would set a prototype. */
const isListLayout = (layout: unknown): layout is ListLayout => {
  const { path, chunk, sameAs } = (layout ?? {}) as Record<string, unknown>;
  const strings = (value: unknown): value is string[] => Array.isArray(value) && value.every((key) => typeof key === 'string' && key !== '__proto__');
  return strings(path) && path.length > 0 && Number.isSafeInteger(chunk) && (chunk as number) > 0 && (sameAs === undefined || (strings(sameAs) && sameAs.length === 2));
};

/** A saved chunk row of a document's list. */
export interface ChunkRow {
  readonly list: number;
  readonly chunk: number;
  readonly items: string;
}

/**
 * Puts a saved document together again: each list's chunks (`rows`, in list and chunk order) at its path
 * in the parsed head, where the head holds its length; the key keeps its place. Null when the rows do
 * not fit together (a chunk missing or extra, a length that does not match): not what a save wrote.
 */
export const assembleDocument = (head: string, layouts: string | null, rows: readonly ChunkRow[]): { doc: unknown; lists: SavedList[] } | null => {
  const doc: unknown = JSON.parse(head);
  if (layouts === null) return rows.length === 0 ? { doc, lists: [] } : null;
  const listLayouts = listLayoutsOf(layouts);
  if (listLayouts === null) return null;
  const parts = listLayouts.map(() => ({ items: [] as unknown[], chunks: 0 }));
  for (const row of rows) {
    const part = parts[row.list];
    if (part === undefined || row.chunk !== part.chunks) return null;
    const items: unknown = JSON.parse(row.items);
    if (!Array.isArray(items) || items.length === 0) return null;
    const { chunk, sameAs } = listLayouts[row.list];
    // Every chunk but the last is full.
    if (items.length > chunk || part.items.length !== part.chunks * chunk) return null;
    for (const item of items) {
      if (sameAs !== undefined && hasOwn(item, sameAs[0]) && item[sameAs[0]] === SAME_OBJECT) {
        if (!hasOwn(item, sameAs[1])) return null;
        item[sameAs[0]] = item[sameAs[1]];
      }
      part.items.push(item);
    }
    part.chunks += 1;
  }
  const lists: SavedList[] = [];
  for (const [list, { path }] of listLayouts.entries()) {
    const parent = valueAt(doc, path.slice(0, -1));
    const key = path[path.length - 1];
    const { items, chunks } = parts[list];
    if (!hasOwn(parent, key) || parent[key] !== items.length) return null;
    parent[key] = items;
    lists.push({ layout: layoutText(listLayouts[list]), items, chunks });
  }
  return { doc, lists };
};

/** Parsed list layouts by their saved text: every casebook head names the same lists, so a load parses them once. */
const parsedLayouts = new Map<string, ListLayout[] | null>();

const listLayoutsOf = (text: string): ListLayout[] | null => {
  let layouts = parsedLayouts.get(text);
  if (layouts === undefined) {
    const parsed: unknown = JSON.parse(text);
    layouts = Array.isArray(parsed) && parsed.every(isListLayout) ? parsed : null;
    // Bounded: unsealed files could hold any number of distinct texts.
    if (parsedLayouts.size < 64) parsedLayouts.set(text, layouts);
  }
  return layouts;
};

/** A layout's JSON, as saved lists name it (layouts are constants: each is serialised once). */
const layoutTexts = new WeakMap<ListLayout, string>();

const layoutText = (layout: ListLayout): string => {
  let text = layoutTexts.get(layout);
  if (text === undefined) layoutTexts.set(layout, (text = JSON.stringify(layout)));
  return text;
};
