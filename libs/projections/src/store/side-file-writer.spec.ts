import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimSideFileWriter, sideFileWriterLockOf } from './side-file-writer';

/** Whether another process gets the exclusive lock on `lockFile` at once (what a second `serve` asks). */
const otherProcessGetsLock = (lockFile: string): boolean => {
  const script = `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))}); const db = new D(process.argv[1]);
    try { db.pragma('busy_timeout = 0'); db.exec('BEGIN EXCLUSIVE'); process.stdout.write('got'); } catch (e) { process.stdout.write(e.code); }`;
  return spawnSync(process.execPath, ['-e', script, lockFile], { encoding: 'utf8' }).stdout === 'got';
};

describe('claimSideFileWriter: one writer per side file', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tl-side-writer-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given a claim held, when this process or another asks again, then it is refused until released', () => {
    const file = join(dir, 'ledger.sqlite.read-models');
    const held = claimSideFileWriter(file);
    expect(held).not.toBeNull();
    expect(claimSideFileWriter(file)).toBeNull();
    expect(otherProcessGetsLock(sideFileWriterLockOf(file))).toBe(false);
    // Only the lock file itself is beside the side file: no journal left to clean up after a crash
    expect(readdirSync(dir)).toEqual(['ledger.sqlite.read-models.writer']);
    held!.release();
    expect(otherProcessGetsLock(sideFileWriterLockOf(file))).toBe(true);
    const next = claimSideFileWriter(file);
    expect(next).not.toBeNull();
    next!.release();
  });

  it('given two side files, then each has its own writer', () => {
    const readModels = claimSideFileWriter(join(dir, 'ledger.sqlite.read-models'));
    const auditIndex = claimSideFileWriter(join(dir, 'ledger.sqlite.audit-index'));
    expect([readModels, auditIndex].every((claim) => claim !== null)).toBe(true);
    readModels!.release();
    auditIndex!.release();
  });
});
