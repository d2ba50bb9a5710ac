import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { verifyConsistency, verifyInclusion } from './rfc9162';

/** The transparency-dev/merkle vectors (RFC 6962/9162), copied unchanged into libs/merkle/test-vectors: `wantErr` decides pass or fail. */
const ROOT = join(__dirname, '../test-vectors/testdata');

const jsonFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? jsonFiles(path) : name.endsWith('.json') ? [path] : [];
  });

const b64 = (value: string): Buffer => Buffer.from(value, 'base64');

interface InclusionVector { leafIdx: number; treeSize: number; root: string; leafHash: string; proof: string[] | null; wantErr: boolean }
interface ConsistencyVector { size1: number; size2: number; root1: string; root2: string; proof: string[] | null; wantErr: boolean }

const inclusion = jsonFiles(join(ROOT, 'inclusion')).map((f) => [relative(ROOT, f), f] as const);
const consistency = jsonFiles(join(ROOT, 'consistency')).map((f) => [relative(ROOT, f), f] as const);

describe('RFC 9162 test vectors', () => {
  it('finds every vector file (none silently skipped)', () => {
    expect(inclusion.length + consistency.length).toBe(jsonFiles(ROOT).length);
    expect(inclusion.length).toBeGreaterThan(60);
    expect(consistency.length).toBeGreaterThan(60);
  });

  it.each(inclusion)('inclusion %s', (_name, file) => {
    const v = JSON.parse(readFileSync(file, 'utf8')) as InclusionVector;
    const ok = verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root));
    expect(ok).toBe(!v.wantErr);
  });

  it.each(consistency)('consistency %s', (_name, file) => {
    const v = JSON.parse(readFileSync(file, 'utf8')) as ConsistencyVector;
    const ok = verifyConsistency(v.size1, v.size2, b64(v.root1), b64(v.root2), (v.proof ?? []).map(b64));
    expect(ok).toBe(!v.wantErr);
  });
});
