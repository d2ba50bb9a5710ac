import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'xmlbuilder2';
import { SqliteEventStore, type StoredEvent } from '@trial-ledger/event-store';
import { runCli } from '../../apps/cli/src/program';
import { seedAuditLedger, STUDY_ID, type SeededLedger } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { PASSWORD, seedUsers } from '../cli/cli-harness';
import { SqliteAttacker } from '../../libs/audit/src/testing/sqlite-attacker';
import { parseCsv } from '../../libs/audit/src/testing/parse-csv';
import { validateOdmXml } from '../../libs/audit/src/testing/odm-schema.validator';

/** Runs the CLI in-process and captures what it prints. */
const cli = async (...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> => {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  const previous = process.exitCode;
  process.exitCode = undefined;
  try {
    const status = await runCli(argv);
    return { status, stdout, stderr };
  } finally {
    process.exitCode = previous;
    out.mockRestore();
    err.mockRestore();
  }
};

describe('trial-ledger verify / checkpoint / audit-trail / export (auditor and regulator tooling)', () => {
  let dir: string;
  let db: string;
  let store: string;
  let seeded: SeededLedger;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
    db = join(dir, 'ledger.sqlite');
    store = `sqlite:${db}`;
    const s = new SqliteEventStore(db);
    seeded = await seedAuditLedger(s);
    await s.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given an intact ledger, verify exits 0 and says so', async () => {
    const result = await cli('--store', store, 'verify');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Ledger intact: 21 events verified');
  });

  it('given a checkpoint and an exported public key, when the tail is cut off, then verify --json names the first missing position and exits 3', async () => {
    const checkpoint = await cli('--store', store, 'checkpoint', '--json');
    expect(checkpoint.status).toBe(0);
    expect(JSON.parse(checkpoint.stdout)).toMatchObject({ position: 21 });
    expect(statSync(join(process.env.TRIAL_LEDGER_KEY_DIR as string, 'ledger.key.pem')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'ledger.key.pem'))).toBe(false);
    expect(existsSync(join(dir, 'ledger.checkpoints.jsonl'))).toBe(true);
    const pub = join(dir, 'regulator', 'ledger.pub.pem');
    mkdirSync(join(dir, 'regulator'));
    expect((await cli('--store', store, 'checkpoint', '--export-public-key', pub)).status).toBe(0);
    expect(readFileSync(pub, 'utf8')).toContain('BEGIN PUBLIC KEY');

    const attacker = new SqliteAttacker(db);
    attacker.exec('DELETE FROM events WHERE global_position > 19');
    attacker.close();

    const plain = await cli('--store', store, 'verify', '--checkpoints', join(dir, 'ledger.checkpoints.jsonl'), '--public-key', pub);
    expect(plain.status).toBe(3);
    expect(plain.stderr).toContain('LEDGER DAMAGED at position 20: truncated');
    const json = await cli('--store', store, 'verify', '--json', '--checkpoints', join(dir, 'ledger.checkpoints.jsonl'), '--public-key', pub);
    expect(json.status).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, fault: { position: 20, damage: 'truncated' } });
  });

  it('given a payload altered on disk, verify exits 3 naming the position', async () => {
    const attacker = new SqliteAttacker(db);
    attacker.exec(`UPDATE events SET data = replace(data, '"doseMg":12', '"doseMg":120') WHERE global_position = ?`, seeded.doseToCorrect.globalPosition);
    attacker.close();
    const result = await cli('--store', store, 'verify', '--json');
    expect(result.status).toBe(3);
    expect(JSON.parse(result.stdout).fault).toMatchObject({ position: seeded.doseToCorrect.globalPosition, damage: 'content-altered' });
  });

  it('prints the audit trail of a subject for a monitor, with corrections before → after and the reason', async () => {
    const result = await cli('--store', store, 'audit-trail', '--subject', 'S001', '--type', 'EntryCorrected,EntryVoided');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Chloé Coordinator (ccoord, coordinator)  Entry corrected — subject S001');
    expect(result.stdout).toContain('doseMg: 12 → 120');
    expect(result.stdout).toContain('reason: Transcription error: 120 mg per pharmacy log');
    expect(result.stdout).toContain('2 audit-trail entries.');
    const json = await cli('--store', store, '--json', 'audit-trail', '--user', 'iinv');
    const rows = JSON.parse(json.stdout) as Array<{ username: string }>;
    expect(rows.length).toBeGreaterThan(3);
    expect(rows.every((r) => r.username === 'iinv')).toBe(true);
  });

  it('refuses a type filter naming no type the ledger writes as a usage error (exit 2) with a hint; a known type without entries prints none', async () => {
    const typo = await cli('--store', store, 'audit-trail', '--subject', 'S001', '--type', 'EntryVoided,EntryCorected');
    expect(typo.status).toBe(2);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toContain('[AUDIT.UNKNOWN_EVENT_TYPE]');
    expect(typo.stderr).toContain('"EntryCorected" (did you mean EntryCorrected?)');
    expect(typo.stderr).toContain('known types: StudyRegistered,');
    const json = await cli('--store', store, '--json', 'audit-trail', '--type', 'DoseGiven');
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'AUDIT.UNKNOWN_EVENT_TYPE' } });
    const none = await cli('--store', store, 'audit-trail', '--subject', 'S001', '--type', 'SubjectDied');
    expect(none.status).toBe(0);
    expect(none.stdout).toBe('0 audit-trail entries.\n');
  });

  it.each([[''], [','], [' , '], ['EntryVoided,'], ['EntryCorrected,,EntryVoided']])('refuses --type %j, which names no type or leaves a name empty, as a usage error (exit 2) as the API refuses it', async (types) => {
    const empty = await cli('--store', store, 'audit-trail', '--type', types);
    expect(empty.status).toBe(2);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toContain('[CLI.INVALID_OPTION]');
  });

  describe('exports, run as a user and recorded as DataExported before they are written', () => {
    let exportDb: string;
    let exportStore: string;
    const readAll = async (): Promise<StoredEvent[]> => {
      const s = new SqliteEventStore(exportDb);
      try {
        const events: StoredEvent[] = [];
        for await (const e of s.readAll()) events.push(e);
        return events;
      } finally {
        await s.close();
      }
    };
    beforeEach(async () => {
      exportDb = join(dir, 'export-ledger.sqlite');
      exportStore = `sqlite:${exportDb}`;
      await seedUsers(exportStore);
      const s = new SqliteEventStore(exportDb);
      await seedAuditLedger(s, { identity: false });
      await s.close();
      process.env.TRIAL_LEDGER_PASSWORD = PASSWORD;
    });
    afterEach(() => {
      delete process.env.TRIAL_LEDGER_PASSWORD;
    });

    it('exports the audit trail as CSV and JSON files, each through the position its record names', async () => {
      const csvFile = join(dir, 'out', 'trail.csv');
      const csv = await cli('--store', exportStore, '--as', 'monitor', 'export', 'audit-trail', '--format', 'csv', '--out', csvFile);
      expect(csv.status).toBe(0);
      const [recorded] = (await readAll()).filter((e) => e.type === 'DataExported');
      expect(recorded).toMatchObject({ streamId: 'exports', data: { kind: 'audit-trail', format: 'csv', channel: 'cli', studyId: null, filter: {}, username: 'monitor', role: 'monitor' } });
      expect(recorded.metadata).toMatchObject({ source: 'cli', actor: { username: 'monitor' } });
      const records = parseCsv(readFileSync(csvFile, 'utf8'));
      // Every event recorded before the export, and not the export's own record.
      expect(records).toHaveLength(recorded.data.throughPosition as number);
      expect(recorded.globalPosition).toBe((recorded.data.throughPosition as number) + 1);
      // The summary names the position the file reads through, as the ODM export and replay do.
      expect(csv.stderr + csv.stdout).toContain(`rows as CSV, through log position ${String(recorded.data.throughPosition)} → ${csvFile}`);
      expect(records.find((r) => r.event_type === 'EntryVoided')).toMatchObject({ reason: 'Entered for the wrong subject', target_type: 'DoseAdministered' });
      const jsonFile = join(dir, 'trail.json');
      expect((await cli('--store', exportStore, '--as', 'regulator', 'export', 'audit-trail', '--format', 'json', '--out', jsonFile, '--study', STUDY_ID, '--subject', 'S002')).status).toBe(0);
      expect(JSON.parse(readFileSync(jsonFile, 'utf8'))).toHaveLength(5);
      const second = (await readAll()).filter((e) => e.type === 'DataExported')[1];
      expect(second).toMatchObject({ streamId: `exports-${STUDY_ID}`, data: { studyId: STUDY_ID, filter: { subject: 'S002' }, role: 'regulator' } });
      expect(second.data.requestDigest).toMatch(/^[0-9a-f]{64}$/);
      expect((await cli('--store', exportStore, '--as', 'monitor', 'export', 'audit-trail', '--format', 'xml')).status).toBe(2);
    });

    it.each([
      [['--subject', 'NOPE'], 'SUBJECT.NOT_FOUND'],
      [['--study', STUDY_ID, '--subject', 'NOPE'], 'SUBJECT.NOT_FOUND'],
      [['--study', 'TYPO'], 'STUDY.NOT_FOUND'],
      [['--user', 'nobody'], 'IDENTITY.USER_NOT_FOUND'],
    ])('refuses an export of a subject or study the ledger does not hold (%j), as report does: %s, exit 1, nothing recorded, no file', async (filter, code) => {
      const file = join(dir, 'unknown.csv');
      const before = (await readAll()).filter((e) => e.type === 'DataExported').length;
      const refused = await cli('--store', exportStore, '--as', 'monitor', '--json', 'export', 'audit-trail', '--format', 'csv', ...filter, '--out', file);
      expect(refused.status).toBe(1);
      expect(JSON.parse(refused.stdout).error.code).toBe(code);
      expect((await readAll()).filter((e) => e.type === 'DataExported')).toHaveLength(before);
      expect(existsSync(file)).toBe(false);
    });

    it('refuses an export whose --from lies after its --to (AUDIT.INVALID_FILTER), as the review does: nothing recorded, no file', async () => {
      const file = join(dir, 'inverted.csv');
      const before = (await readAll()).length;
      const refused = await cli('--store', exportStore, '--as', 'monitor', '--json', 'export', 'audit-trail', '--format', 'csv', '--from', '2026-12-31', '--to', '2026-01-01', '--out', file);
      // A usage error (exit 2): the window is wrong whatever the ledger holds, as an impossible date is.
      expect(refused.status).toBe(2);
      expect(JSON.parse(refused.stdout).error).toMatchObject({ code: 'AUDIT.INVALID_FILTER', message: '--from 2026-12-31 lies after --to 2026-01-01: the window can hold nothing' });
      expect((await readAll()).length).toBe(before);
      const listed = await cli('--store', exportStore, '--json', 'audit-trail', '--from', '2026-12-31', '--to', '2026-01-01');
      expect([listed.status, JSON.parse(listed.stdout).error.code]).toEqual([2, 'AUDIT.INVALID_FILTER']);
      expect(existsSync(file)).toBe(false);
    });

    it('refuses an export filtered by an unknown event type before anyone signs in: exit 2, nothing recorded, no file', async () => {
      const file = join(dir, 'typo.csv');
      const before = (await readAll()).length;
      const refused = await cli('--store', exportStore, '--as', 'monitor', 'export', 'audit-trail', '--format', 'csv', '--type', 'entrycorrected', '--out', file);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain('[AUDIT.UNKNOWN_EVENT_TYPE]');
      expect(refused.stderr).toContain('did you mean EntryCorrected?');
      expect((await readAll()).length).toBe(before);
      expect(existsSync(file)).toBe(false);
    });

    it('refuses a role that may not export: the refusal is recorded, no export record and no file', async () => {
      const file = join(dir, 'refused.odm.xml');
      const before = (await readAll()).length;
      const refused = await cli('--store', exportStore, '--as', 'coordinator', '--json', 'export', 'odm', '--out', file);
      expect(refused.status).not.toBe(0);
      expect(JSON.parse(refused.stdout).error.code).toBe('AUTH.ROLE_NOT_ALLOWED');
      expect((await readAll()).slice(before).map((e) => `${e.streamId} ${e.type}`)).toEqual(['identity LoginSucceeded', 'identity AuthorizationRefused']);
      expect(existsSync(file)).toBe(false);
      const anonymous = await cli('--store', exportStore, '--json', 'export', 'odm', '--out', file);
      expect(JSON.parse(anonymous.stdout).error.code).toBe('AUTH.USER_REQUIRED');
      expect(existsSync(file)).toBe(false);
    });

    it('exports schema-valid ODM 1.3.2 to a file, after recording it', async () => {
      const file = join(dir, 'study.odm.xml');
      const result = await cli('--store', exportStore, '--as', 'monitor', 'export', 'odm', '--out', file);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('2 subjects');
      const xml = readFileSync(file, 'utf8');
      expect((await validateOdmXml(xml)).valid).toBe(true);
      expect(create(xml).root().node.nodeName).toBe('ODM');
      const odmRecords = (await readAll()).filter((e) => e.type === 'DataExported');
      expect(odmRecords.map((e) => e.data.kind)).toEqual(['odm']);
      // The file is the log through the position its record names, without the record itself
      expect(xml).toMatch(new RegExp(`FileOID="trial-ledger\\.[^"]*\\.P${odmRecords[0].data.throughPosition as number}\\.`));
      const missing = await cli('--store', exportStore, '--as', 'monitor', '--json', 'export', 'odm', '--study', 'NO-SUCH', '--out', join(dir, 'none.xml'));
      expect(JSON.parse(missing.stdout).error.code).toBe('STUDY.NOT_FOUND');
      expect((await readAll()).filter((e) => e.type === 'DataExported')).toHaveLength(1);
    });
  });
});
