import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EVENT_TYPE_CATALOGUE, closestLedgerEventType } from './event-catalogue';

const ROOT = resolve(__dirname, '../../../..');
interface Manifest {
  readonly version?: string;
  readonly dependencies?: Record<string, string>;
  readonly packages?: Record<string, Manifest>;
}
const json = (file: string): Manifest => JSON.parse(readFileSync(resolve(ROOT, file), 'utf8')) as Manifest;

describe('closestLedgerEventType (the "did you mean" hint for a misspelt event type)', () => {
  it.each([
    ['EntryCorected', 'EntryCorrected'],
    ['entrycorrected', 'EntryCorrected'],
    ['DoseAdministred', 'DoseAdministered'],
    ['EntryVoyded', 'EntryVoided'],
    ['QueryClossed', 'QueryClosed'],
  ])('given %s, then %s', (typo, meant) => {
    expect(closestLedgerEventType(typo)).toBe(meant);
  });

  it('given a name more than two edits from every known type, then no hint', () => {
    expect(closestLedgerEventType('DoseGiven')).toBeNull();
    expect(closestLedgerEventType('DoseRecrded')).toBeNull();
  });

  it('given a known type, then that type itself (distance 0)', () => {
    for (const known of EVENT_TYPE_CATALOGUE) expect(closestLedgerEventType(known)).toBe(known);
  });

  it('measures the distance with fastest-levenshtein, a direct dependency pinned to the installed version', () => {
    const installed = json('node_modules/fastest-levenshtein/package.json').version;
    expect(installed).toMatch(/^\d+\.\d+\.\d+$/);
    expect(json('package.json').dependencies?.['fastest-levenshtein']).toBe(installed);
    const lock = json('package-lock.json');
    expect(lock.packages?.['']?.dependencies?.['fastest-levenshtein']).toBe(installed);
    expect(lock.packages?.['node_modules/fastest-levenshtein']?.version).toBe(installed);
    expect(readFileSync(resolve(__dirname, 'event-catalogue.ts'), 'utf8')).toMatch(/from 'fastest-levenshtein'/);
  });
});
