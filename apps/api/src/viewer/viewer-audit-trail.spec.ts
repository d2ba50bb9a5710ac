import { DomainError } from '@trial-ledger/domain';
import { exportedFilter, indexQueryOf, parseTrailFilter, DEFAULT_TRAIL_DAYS } from './viewer-audit-trail';
import { parseSort } from './viewer-pages.presenter';
import { fieldLabel, utc } from './viewer-format';

const NOW = '2026-09-08T10:00:00.000Z';
const codeOf = (run: () => unknown): string | null => {
  try {
    run();
    return null;
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a domain error';
  }
};

describe('viewer query parsing', () => {
  it('defaults the trail to the last seven days, and an emptied "from" to no lower bound', () => {
    expect(parseTrailFilter('S', {}, NOW, null).from).toBe(new Date(Date.parse(NOW) - DEFAULT_TRAIL_DAYS * 86_400_000).toISOString());
    expect(parseTrailFilter('S', { from: '' }, NOW, null).from).toBe('');
    expect(parseTrailFilter('S', { changesOnly: '1', before: '42', role: 'monitor' }, NOW, null)).toMatchObject({ changesOnly: true, before: 42, role: 'monitor' });
  });

  it.each([
    ['a role that is not one', { role: '__proto__' }],
    ['control characters', { user: 'mona\u0000' }],
    ['a bidi override', { subject: 'S\u202e001' }],
    ['a repeated parameter (array)', { user: ['a', 'b'] }],
    ['an impossible date', { from: '2026-02-30' }],
    ['a type list with punctuation', { type: 'EntryCorrected;drop' }],
    ['a position that is not one', { before: '-1' }],
    ['a position beyond 2^53 (no exact number)', { before: '9007199254740993' }],
    ['changesOnly other than 1', { changesOnly: 'yes' }],
  ])('refuses %s with a stable code', (_name, query) => {
    expect(codeOf(() => parseTrailFilter('S', query, NOW, null))).toMatch(/^(VIEWER\.INVALID_FILTER|AUDIT\.INVALID_FILTER)$/);
  });

  it('refuses a type the ledger does not write (AUDIT.UNKNOWN_EVENT_TYPE) instead of showing an empty trail; a known one passes', () => {
    expect(codeOf(() => parseTrailFilter('S', { type: 'EntryCorrected,EntryVoyded' }, NOW, null))).toBe('AUDIT.UNKNOWN_EVENT_TYPE');
    expect(codeOf(() => parseTrailFilter('S', { type: 'EntryCorrected,EntryVoided' }, NOW, null))).toBeNull();
  });

  it('turns the filter into an index query bound to the page position: changes only, types, the earlier upper bound', () => {
    const changes = indexQueryOf(parseTrailFilter('S', { changesOnly: '1', from: '' }, NOW, null), 40);
    expect(changes).toEqual({ studyId: 'S', throughPosition: 40, changesOnly: true });
    // A type list without a change type and "changes only": nothing can match.
    expect(indexQueryOf(parseTrailFilter('S', { changesOnly: '1', type: 'DoseAdministered' }, NOW, null), 40).types).toEqual([]);
    const bounded = indexQueryOf(parseTrailFilter('S', { to: '2026-09-30', user: '__proto__' }, NOW, '2026-09-01T12:00:00.000Z'), 40);
    expect(bounded).toMatchObject({ to: '2026-09-01T12:00:00.000Z', user: '__proto__', from: '2026-09-01T10:00:00.000Z' });
    expect(exportedFilter(parseTrailFilter('S', { role: 'monitor', from: '' }, NOW, null))).toEqual({ role: 'monitor' });
  });

  it('accepts only the listed sort keys and directions', () => {
    expect(parseSort('status', 'desc')).toEqual({ sort: 'status', order: 'desc' });
    expect(parseSort(undefined, undefined)).toEqual({ sort: 'subjectId', order: 'asc' });
    expect(codeOf(() => parseSort('constructor', 'asc'))).toBe('VIEWER.INVALID_SORT');
    expect(codeOf(() => parseSort('status', 'sideways'))).toBe('VIEWER.INVALID_SORT');
  });

  it('labels fields for people, never from the prototype, and shows instants in UTC with the offset', () => {
    expect(fieldLabel('lotNumber')).toBe('Lot number');
    expect(fieldLabel('someNewField')).toBe('Some new field');
    expect(fieldLabel('constructor')).toBe('Constructor');
    expect(fieldLabel('__proto__')).toBe('Proto');
    expect(utc('2026-03-01T13:00:00+01:00')).toBe('2026-03-01 12:00:00.000 +00:00');
  });
});
