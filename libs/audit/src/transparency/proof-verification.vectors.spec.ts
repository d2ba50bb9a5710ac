import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { signTreeHead } from '@trial-ledger/merkle';
import { verifyProofDocument } from './proof-verification';
import { CONSISTENCY_PROOF_FORMAT } from './proofs';

/**
 * The transparency-dev RFC 6962/9162 consistency vectors (libs/merkle/test-vectors, unchanged), through
 * the product's own offline verifier rather than the library function alone: each pair of roots is
 * signed as two tree heads, the vector's proof put in a proof file, and `verifyProofDocument` must
 * accept exactly the vectors that want no error, and refuse every other one — as failing, or as malformed
 * where the file cannot carry it (a size 0, a "root" or a path entry that is no SHA-256 hash). The inclusion vectors
 * give leaf hashes, not events, and a proof file proves an event: they run against the library.
 */
const ROOT = join(__dirname, '../../../merkle/test-vectors/testdata/consistency');

const jsonFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? jsonFiles(path) : name.endsWith('.json') ? [path] : [];
  });

interface ConsistencyVector { size1: number; size2: number; root1: string; root2: string; proof: string[] | null; wantErr: boolean }

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const origin = 'trial-ledger/0123456789abcdef';
const note = (treeSize: number, rootHash: string): string =>
  signTreeHead({ origin, treeSize, rootHash, time: '2026-01-01T00:00:00.000Z', chainHash: 'a'.repeat(64) }, privateKey, publicKey).note;

const outcome = (v: ConsistencyVector): 'valid' | 'fails' | 'malformed' => {
  try {
    const document = { format: CONSISTENCY_PROOF_FORMAT, fromSize: v.size1, toSize: v.size2, proof: v.proof ?? [], from: note(v.size1, v.root1), to: note(v.size2, v.root2) };
    return verifyProofDocument(document, publicKey).ok ? 'valid' : 'fails';
  } catch (error) {
    if (['PROOF.MALFORMED', 'CHECKPOINT.MALFORMED'].includes(String((error as { code?: unknown }).code))) return 'malformed';
    throw error;
  }
};

const vectors = jsonFiles(ROOT).map((f) => [relative(ROOT, f), JSON.parse(readFileSync(f, 'utf8')) as ConsistencyVector] as const);
/** A tree head carries a size from 1 and a SHA-256 root, and a proof file only such hashes. */
const representable = (v: ConsistencyVector): boolean =>
  v.size1 >= 1 && [v.root1, v.root2].every((r) => Buffer.from(r, 'base64').length === 32 && /^[A-Za-z0-9+/]{43}=$/.test(r));

describe('RFC 9162 consistency vectors through proof verify', () => {
  it('reads every vector file', () => {
    expect(vectors.length).toBeGreaterThan(60);
  });

  it.each(vectors)('%s', (_name, v) => {
    const verdict = outcome(v);
    if (!v.wantErr && representable(v)) expect(verdict).toBe('valid');
    else if (!v.wantErr) expect(verdict).toBe('malformed');
    else expect(['fails', 'malformed']).toContain(verdict);
  });
});
