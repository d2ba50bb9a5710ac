/** A list inside a document, by the keys that lead to it, e.g. `['subject', 'entries']`. */
export type ListPath = readonly string[];

/**
 * Which lists of the document saved under `key` grow with its history and are saved in rows of their
 * own, in chunks: saving the document after an event then writes its head and the chunks that event
 * changed, not its whole history. None (or no layout): the document is saved whole, as one row.
 */
export type DocumentLayout = (key: string) => readonly ListPath[];

/** Items per saved chunk of a list: an appended item rewrites one chunk of at most this many. */
export const LIST_CHUNK_SIZE = 8;

/** A list of a document as it was last saved, which tells which of its chunks a new save must write. */
export interface SavedList {
  /** The path, as saved (JSON). */
  readonly path: string;
  /**
   * The items as saved: the very objects, since a projection's documents are immutable and `evolve`
   * keeps the items it did not change, an item of the same identity needs no writing. Empty when the
   * saved chunks were not cut at `LIST_CHUNK_SIZE` (then every chunk is written again).
   */
  readonly items: readonly unknown[];
  /** How many chunk rows the list has in the store. */
  readonly chunks: number;
}

/** The rows a save writes for one document: its head, the chunks that changed, and the chunks it drops. */
export interface DocumentRows {
  /** The document's JSON, each split list replaced by its length. */
  readonly head: string;
  /** The split lists' paths (JSON), saved with the head so a reader needs no layout; null: saved whole. */
  readonly paths: string | null;
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

const sameItems = (items: readonly unknown[], saved: SavedList, from: number, to: number): boolean => {
  if (Math.min(saved.items.length, to) !== to) return false;
  for (let i = from; i < to; i += 1) if (items[i] !== saved.items[i]) return false;
  return true;
};

/**
 * The rows that save `doc` when it was last saved as `before`: its head, and of each list at `paths`
 * the chunks whose items are not the very ones saved (an appended item: the last chunk; a correction:
 * the chunks it rewrote); chunks past a list's new end are dropped.
 */
export const documentRows = (doc: unknown, paths: readonly ListPath[], before: readonly SavedList[]): DocumentRows => {
  let head = doc;
  const lists: SavedList[] = [];
  const chunks: Array<DocumentRows['chunks'][number]> = [];
  const drops: Array<DocumentRows['drops'][number]> = [];
  for (const path of paths) {
    const items = valueAt(doc, path);
    if (!Array.isArray(items)) continue;
    const list = lists.length;
    const saved = before[list]?.path === JSON.stringify(path) ? before[list] : undefined;
    const count = Math.ceil(items.length / LIST_CHUNK_SIZE);
    if (saved?.items !== items) {
      for (let chunk = 0; chunk < count; chunk += 1) {
        const from = chunk * LIST_CHUNK_SIZE;
        const to = Math.min(items.length, from + LIST_CHUNK_SIZE);
        if (saved !== undefined && chunk < saved.chunks && sameItems(items, saved, from, to)) continue;
        chunks.push({ list, chunk, items: JSON.stringify(items.slice(from, to)) });
      }
    }
    if ((before[list]?.chunks ?? 0) > count) drops.push({ list, from: count });
    head = replaceAt(head, path, items.length);
    lists.push({ path: JSON.stringify(path), items, chunks: count });
  }
  for (let list = lists.length; list < before.length; list += 1) if (before[list].chunks > 0) drops.push({ list, from: 0 });
  return { head: JSON.stringify(head), paths: lists.length === 0 ? null : JSON.stringify(lists.map((l) => JSON.parse(l.path) as ListPath)), chunks, drops, lists };
};

const isListPath = (path: unknown): path is ListPath => Array.isArray(path) && path.length > 0 && path.every((key) => typeof key === 'string');

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
export const assembleDocument = (head: string, paths: string | null, rows: readonly ChunkRow[]): { doc: unknown; lists: SavedList[] } | null => {
  const doc: unknown = JSON.parse(head);
  if (paths === null) return rows.length === 0 ? { doc, lists: [] } : null;
  const listPaths: unknown = JSON.parse(paths);
  if (!Array.isArray(listPaths) || !listPaths.every(isListPath)) return null;
  const parts: unknown[][][] = listPaths.map(() => []);
  for (const row of rows) {
    const list = parts[row.list];
    if (list === undefined || row.chunk !== list.length) return null;
    const items: unknown = JSON.parse(row.items);
    if (!Array.isArray(items) || items.length === 0) return null;
    list.push(items);
  }
  const lists: SavedList[] = [];
  for (const [list, path] of listPaths.entries()) {
    const parent = valueAt(doc, path.slice(0, -1));
    const key = path[path.length - 1];
    const items = parts[list].flat(1);
    if (!hasOwn(parent, key) || parent[key] !== items.length) return null;
    parent[key] = items;
    // Chunks cut at another size (an earlier chunk size) are all written again by the next save.
    const cut = parts[list].every((part, i) => (i === parts[list].length - 1 ? part.length <= LIST_CHUNK_SIZE : part.length === LIST_CHUNK_SIZE));
    lists.push({ path: JSON.stringify(path), items: cut ? items : [], chunks: parts[list].length });
  }
  return { doc, lists };
};
