import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { seedAuditLedger, type SeededLedger } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { cli, tempDir } from './cli-harness';

/**
 * What an auditor is handed offline must mean one thing: a proof file is JSON, and JSON that names a
 * member twice is read differently by different readers (JSON.parse keeps the last, a person and many
 * parsers the first). A valid proof with a forged first copy beside the genuine last one would be
 * reported PROOF VALID while the file shows the forgery.
 */
describe('proof verify: a proof file that JSON.parse reads otherwise than written', () => {
  const dir = tempDir();
  const ledger = join(dir.path, 'ledger.sqlite');
  const store = ['--store', `sqlite:${ledger}`];
  const publicKey = join(dir.path, 'ledger.pub.pem');
  let seeded: SeededLedger;

  beforeAll(async () => {
    const s = new SqliteEventStore(ledger);
    seeded = await seedAuditLedger(s);
    await s.close();
    expect((await cli([...store, 'checkpoint', '--export-public-key', publicKey])).status).toBe(0);
  });
  afterAll(() => dir.remove());

  it('a member named twice, or a number a double cannot hold: PROOF.MALFORMED (exit 1), never PROOF VALID', async () => {
    const out = join(dir.path, 'dose.proof.json');
    expect((await cli([...store, 'proof', 'inclusion', '--event', seeded.doseToCorrect.eventId, '--out', out])).status).toBe(0);
    const genuine = JSON.stringify(JSON.parse(readFileSync(out, 'utf8')));
    expect((await cli(['proof', 'verify', out, '--public-key', publicKey])).status).toBe(0);
    // The forged dose first, the recorded one after it: JSON.parse reads the recorded one, and the hash holds.
    const twice = join(dir.path, 'twice.proof.json');
    writeFileSync(twice, genuine.replace('"data":{', '"data":{"doseMg":1200,'));
    const run = await cli(['proof', 'verify', twice, '--public-key', publicKey]);
    expect(run.stdout).not.toContain('PROOF VALID');
    expect(run).toMatchObject({ status: 1, stderr: expect.stringContaining('[PROOF.MALFORMED]') });
    expect(run.stderr).toContain('/event/data/doseMg');
    // A number a double cannot hold reads as the recorded one, while the file shows another.
    const inexact = join(dir.path, 'inexact.proof.json');
    writeFileSync(inexact, genuine.replace(/"doseMg":(\d+)/, '"doseMg":$1.00000000000000001'));
    expect(await cli(['proof', 'verify', inexact, '--public-key', publicKey])).toMatchObject({ status: 1, stderr: expect.stringContaining('[PROOF.MALFORMED]') });
  });
});
