import { assembleDocument, documentRows, SAME_OBJECT, type ChunkRow, type ListLayout } from './document-lists';

const LIST_CHUNK_SIZE = 8;

const PATHS: readonly ListLayout[] = [
  { path: ['subject', 'entries'], chunk: LIST_CHUNK_SIZE, sameAs: ['current', 'recorded'] },
  { path: ['subject', 'facts', 'doses'], chunk: LIST_CHUNK_SIZE },
];
/** An entry as first recorded: its current value is the recorded event itself. */
const item = (i: number): { eventId: string; recorded: object; current: object } => {
  const recorded = { type: 'DoseAdministered', data: { cycle: i } };
  return { eventId: `e${i}`, recorded, current: recorded };
};
const items = (n: number): Array<ReturnType<typeof item>> => Array.from({ length: n }, (_, i) => item(i));
const doc = (entries: unknown[], doses: unknown[] = []): unknown => ({ studyId: 'X', subject: { status: 'enrolled', entries, facts: { screening: null, doses, latest: '2026-01-01' }, version: entries.length }, summary: { n: 1 } });

/** The rows a store would hold after saving `rows` over nothing: chunk rows in list and chunk order. */
const chunkRows = (rows: ReturnType<typeof documentRows>): ChunkRow[] => [...rows.chunks].sort((a, b) => a.list - b.list || a.chunk - b.chunk);

describe('a document saved as a head and chunks of its lists', () => {
  it('given a document, when split and put together again, then its JSON is the same text, key order included', () => {
    const original = doc(items(2 * LIST_CHUNK_SIZE + 3), items(5));
    const rows = documentRows(original, PATHS, []);
    expect(JSON.parse(rows.head)).toEqual({ studyId: 'X', subject: { status: 'enrolled', entries: 2 * LIST_CHUNK_SIZE + 3, facts: { screening: null, doses: 5, latest: '2026-01-01' }, version: 2 * LIST_CHUNK_SIZE + 3 }, summary: { n: 1 } });
    expect(rows.chunks.map((c) => [c.list, c.chunk])).toEqual([[0, 0], [0, 1], [0, 2], [1, 0]]);
    expect(JSON.stringify(assembleDocument(rows.head, rows.layouts, chunkRows(rows))?.doc)).toBe(JSON.stringify(original));
  });

  it('given entries whose current value is the recorded event itself, then it is saved once and is that very object again when loaded', () => {
    const entries = items(3);
    const corrected = { ...entries[1], current: { type: 'DoseAdministered', data: { cycle: 9 } } };
    const rows = documentRows(doc([entries[0], corrected, entries[2]]), PATHS, []);
    const saved = JSON.parse(rows.chunks[0].items) as Array<{ current: unknown }>;
    expect(saved.map((e) => e.current)).toEqual([SAME_OBJECT, { type: 'DoseAdministered', data: { cycle: 9 } }, SAME_OBJECT]);
    const loaded = assembleDocument(rows.head, rows.layouts, chunkRows(rows))!.doc as { subject: { entries: Array<{ recorded: unknown; current: unknown }> } };
    expect(loaded.subject.entries.map((e) => e.current === e.recorded)).toEqual([true, false, true]);
    expect(JSON.stringify(loaded)).toBe(JSON.stringify(doc([entries[0], corrected, entries[2]])));
  });

  it('given the lists as saved, when an item is appended, then only the last chunk of that list is written', () => {
    const entries = items(2 * LIST_CHUNK_SIZE + 3);
    const doses = items(5);
    const saved = documentRows(doc(entries, doses), PATHS, []).lists;
    const next = documentRows(doc([...entries, item(99)], doses), PATHS, saved);
    expect(next.chunks.map((c) => [c.list, c.chunk])).toEqual([[0, 2]]);
    expect(JSON.parse(next.chunks[0].items)).toHaveLength(4);
    expect(next.drops).toEqual([]);
  });

  it('given an earlier item replaced (a correction), then its chunk and the last are written; a list that shrank drops its extra chunks', () => {
    const entries = items(2 * LIST_CHUNK_SIZE + 3);
    const saved = documentRows(doc(entries, items(LIST_CHUNK_SIZE + 1)), PATHS, []).lists;
    const corrected = entries.map((e, i) => (i === 1 ? { ...e, current: { type: 'DoseAdministered', data: { cycle: -1 } } } : e));
    const next = documentRows(doc(corrected, items(LIST_CHUNK_SIZE)), PATHS, saved);
    expect(next.chunks.map((c) => [c.list, c.chunk])).toEqual([[0, 0], [1, 0]]);
    expect(next.drops).toEqual([{ list: 1, from: 1 }]);
  });

  it('given a list the layout no longer names (or that is gone), then its chunks are dropped and the document is saved whole', () => {
    const saved = documentRows(doc(items(3), items(2)), PATHS, []).lists;
    const whole = documentRows(doc(items(3), items(2)), [], saved);
    expect([whole.layouts, whole.chunks, whole.drops]).toEqual([null, [], [{ list: 0, from: 0 }, { list: 1, from: 0 }]]);
  });

  it('given chunks saved under another chunk size (an earlier layout), then the document is whole and the next save writes every chunk again', () => {
    const entries = items(LIST_CHUNK_SIZE + 2);
    const earlier = documentRows(doc(entries), [{ ...PATHS[0], chunk: 2 }], []);
    const assembled = assembleDocument(earlier.head, earlier.layouts, chunkRows(earlier))!;
    expect(JSON.stringify(assembled.doc)).toBe(JSON.stringify(doc(entries)));
    const next = documentRows(assembled.doc, PATHS.slice(0, 1), assembled.lists);
    expect(next.chunks.map((c) => c.chunk)).toEqual([0, 1]);
    expect(next.drops).toEqual([{ list: 0, from: 2 }]);
  });

  it('given a list that lost its last item (a voided fact), then its last chunk is written without it', () => {
    const doses = items(LIST_CHUNK_SIZE + 2);
    const saved = documentRows(doc([], doses), PATHS, []).lists;
    const next = documentRows(doc([], doses.slice(0, -1)), PATHS, saved);
    expect(next.chunks.map((c) => [c.list, c.chunk, (JSON.parse(c.items) as unknown[]).length])).toEqual([[1, 1, 1]]);
  });

  it.each([
    ['a chunk missing', (rows: ChunkRow[]) => rows.filter((r) => r.chunk !== 1)],
    ['a chunk not full before the last', (rows: ChunkRow[]) => rows.map((r) => (r.chunk === 0 ? { ...r, items: JSON.stringify((JSON.parse(r.items) as unknown[]).slice(1)) } : r))],
    ['a chunk extra', (rows: ChunkRow[]) => [...rows, { list: 0, chunk: 3, items: '[{}]' }]],
    ['a chunk of a list the head does not name', (rows: ChunkRow[]) => [...rows, { list: 2, chunk: 0, items: '[{}]' }]],
    ['an empty chunk', (rows: ChunkRow[]) => [...rows, { list: 1, chunk: 0, items: '[]' }]],
    ['a chunk that is no list', (rows: ChunkRow[]) => rows.map((r) => (r.chunk === 2 ? { ...r, items: '{"0":1}' } : r))],
    ['an item marked as the same object as a field it lacks', (rows: ChunkRow[]) => rows.map((r) => (r.chunk === 2 ? { ...r, items: JSON.stringify([{ eventId: 'x', current: SAME_OBJECT }]) } : r))],
  ])('given rows with %s, then they do not fit together', (_what, alter) => {
    const rows = documentRows(doc(items(2 * LIST_CHUNK_SIZE + 3)), PATHS, []);
    expect(assembleDocument(rows.head, rows.layouts, alter(chunkRows(rows)))).toBeNull();
  });

  it.each([
    ['a path through __proto__', [{ path: ['subject', '__proto__'], chunk: 8 }]],
    ['a same-object field named __proto__', [{ path: ['subject', 'entries'], chunk: 8, sameAs: ['__proto__', 'recorded'] }]],
    ['a chunk size of 0', [{ path: ['subject', 'entries'], chunk: 0 }]],
  ])('given a saved layout with %s, then the rows do not fit together', (_what, layouts) => {
    const head = JSON.stringify({ subject: { entries: 1, ['__proto__']: 1 } });
    const rows: ChunkRow[] = [{ list: 0, chunk: 0, items: JSON.stringify([{ ['__proto__']: SAME_OBJECT, recorded: { polluted: true } }]) }];
    expect(assembleDocument(head, JSON.stringify(layouts), rows)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('given a path the document lacks, or that holds no list, then that part stays in the head', () => {
    const rows = documentRows({ subject: { entries: 'none' } }, PATHS, []);
    expect([rows.head, rows.layouts, rows.chunks]).toEqual(['{"subject":{"entries":"none"}}', null, []]);
  });
});
