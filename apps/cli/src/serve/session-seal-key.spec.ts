import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSessionSealKey, installSessionSealKey, sessionSealKeyFile } from './session-seal-key';

describe('the session seal key in the key directory', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'trial-ledger-seal-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is created once, 0600, 32 bytes, and read back unchanged by the next start', () => {
    const file = sessionSealKeyFile(join(dir, 'keys', 'ledger.key.pem'));
    expect(file).toBe(join(dir, 'keys', 'ledger.sessions-seal.key'));
    const first = ensureSessionSealKey(file);
    expect(first).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(ensureSessionSealKey(file).equals(first)).toBe(true);
  });

  it('refuses a symlink planted at its path, and a file of another length, without writing through or replacing them', () => {
    const target = join(dir, 'elsewhere');
    writeFileSync(target, 'not a key');
    const link = join(dir, 'ledger.sessions-seal.key');
    symlinkSync(target, link);
    expect(() => ensureSessionSealKey(link)).toThrow(expect.objectContaining({ code: 'SESSION_KEY.UNSAFE' }));
    expect(readFileSync(target, 'utf8')).toBe('not a key');
    const short = join(dir, 'short.sessions-seal.key');
    writeFileSync(short, 'abc', { mode: 0o600 });
    expect(() => ensureSessionSealKey(short)).toThrow(expect.objectContaining({ code: 'SESSION_KEY.UNSAFE' }));
    expect(readFileSync(short, 'utf8')).toBe('abc');
  });

  it('refuses a key other users may read (they could seal a session row of their own), leaving it as it was', () => {
    const file = join(dir, 'ledger.sessions-seal.key');
    const key = Buffer.alloc(32, 7);
    writeFileSync(file, key, { mode: 0o644 });
    chmodSync(file, 0o644);
    expect(() => ensureSessionSealKey(file)).toThrow(expect.objectContaining({ code: 'SESSION_KEY.UNSAFE', message: expect.stringContaining('mode 644') }));
    expect(readFileSync(file).equals(key)).toBe(true);
  });

  it('keeps the key another server put in place first (two servers starting together agree), leaving no temporary file', () => {
    const file = join(dir, 'ledger.sessions-seal.key');
    const winner = ensureSessionSealKey(file);
    // The loser of the race found no key, then tries to install one after the winner did
    installSessionSealKey(file);
    expect(readFileSync(file).equals(winner)).toBe(true);
    expect(ensureSessionSealKey(file).equals(winner)).toBe(true);
    expect(readdirSync(dir)).toEqual(['ledger.sessions-seal.key']);
  });
});
