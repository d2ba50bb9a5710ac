import type { QueryView } from '@trial-ledger/projections';
import { formatQueryList } from './query.command';

const query = (over: Partial<QueryView>): QueryView =>
  ({
    queryId: 'a'.repeat(32),
    studyId: 'ST-1',
    subjectId: 'S004',
    target: { eventType: 'DoseAdministered', eventId: 'e1', fieldPath: 'lotNumber' },
    origin: 'manual',
    deviationEventId: null,
    status: 'open',
    openedAt: '2026-01-01T00:00:00.000Z',
    openedBy: { username: 'mona', fullName: 'Mona Monitor' },
    resolvedAt: null,
    ageDays: 3,
    linkedChangeIds: [],
    thread: [],
    ...over,
  }) as QueryView;

describe('formatQueryList', () => {
  it('given queries of different widths, when listed, then every column starts where its heading starts and no row repeats a heading', () => {
    const lines = formatQueryList([
      query({}),
      query({ queryId: 'b'.repeat(32), status: 'closed-modified', subjectId: 'S1234567890', ageDays: 120, target: { eventType: 'TumorAssessed', eventId: 'e2', fieldPath: null } as QueryView['target'], openedBy: { username: 'system', fullName: 'System' } as QueryView['openedBy'] }),
    ]).split('\n');
    const headings = ['Query', 'Status', 'Subject', 'Age (days)', 'Entry', 'Opened by'];
    const starts = headings.map((h) => lines[0].indexOf(h));
    expect(starts.every((s, i) => s >= 0 && (i === 0 || s > starts[i - 1]))).toBe(true);
    const cells = [
      ['a'.repeat(32), 'open', 'S004', '3', 'DoseAdministered.lotNumber', 'mona'],
      ['b'.repeat(32), 'closed-modified', 'S1234567890', '120', 'TumorAssessed', 'system'],
    ];
    for (const [row, values] of cells.entries()) {
      const line = lines[row + 2];
      expect(values.map((v, i) => line.indexOf(v, starts[i]))).toEqual(starts);
      expect(line).not.toMatch(/opened by/i);
    }
  });
});
