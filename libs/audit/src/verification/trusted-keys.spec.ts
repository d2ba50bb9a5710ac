import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinKey, pinnedKeyFor } from './trusted-keys';

/** One pinned key, one ledger: the ledger is told by the chain hash of its first event, not by its path. */
describe('pinKey and pinnedKeyFor follow the ledger, not its path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trial-ledger-trust-'));
  const trustFile = join(dir, 'auditor', 'trusted-keys.json');
  const { publicKey } = generateKeyPairSync('ed25519');
  const ledgerA = 'a'.repeat(64);
  const ledgerB = 'b'.repeat(64);
  const options = (path: string, ledger: string) => ({ trustFile, storeUrl: `sqlite:${join(dir, path, 'ledger.sqlite')}`, storeDir: join(dir, path), now: '2026-01-01T00:00:00.000Z', ledger });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(() => {
    expect(pinKey(publicKey, options('pin', ledgerA)).created).toBe(true);
  });

  it('a store at another path holding the same ledger finds the pin; re-pinning it there adds nothing', () => {
    expect(pinnedKeyFor(trustFile, options('pin2', ledgerA).storeUrl, ledgerA)?.pin.store).toContain('/pin/');
    expect(pinKey(publicKey, options('pin2', ledgerA)).created).toBe(false);
    expect(pinnedKeyFor(trustFile, options('pin2', ledgerB).storeUrl, ledgerB)).toBeNull();
  });

  it('pinning the same key for a store whose first event differs is refused (TRUST.KEY_OTHER_LEDGER), the trust file unchanged', () => {
    const before = readFileSync(trustFile, 'utf8');
    expect(() => pinKey(publicKey, options('pin3', ledgerB))).toThrow(expect.objectContaining({ code: 'TRUST.KEY_OTHER_LEDGER' }));
    expect(readFileSync(trustFile, 'utf8')).toBe(before);
  });
});
