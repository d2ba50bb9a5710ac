import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openEventStore, type StoredEvent } from '@trial-ledger/event-store';
import { SqliteAttacker } from '../../libs/audit/src/testing/sqlite-attacker';
import { cli, PASSWORD, seedUsers, tempDir } from './cli-harness';

const STUDY = 'LANR-HGNET-01';
const line = (command: string, subjectId: string, idempotencyKey: string, payload: Record<string, unknown>): string =>
  JSON.stringify({ command, studyId: STUDY, subjectId, payload, idempotencyKey });
const screen = (subjectId: string, key: string): string =>
  line('ScreenSubject', subjectId, key, { screeningDate: '2025-01-06', consentDate: '2025-01-06', sex: 'F', birthYear: 1961 });

interface VerifyReport {
  ok: boolean;
  sideRecords: { ok: boolean; tables: string[]; idempotencyRecordsChecked: number; faults: Array<{ table: string; record: string; problem: string }> };
  warnings: Array<{ code: string; message: string }>;
}

/**
 * The idempotency record under custody (a hostile insider): authorization comes before any
 * idempotent repeat; a repeat is answered from the chained events only, never from a side table
 * someone wrote into; and `verify` names every side record the chain does not back, and warns when
 * the append-only triggers are gone.
 */
describe('idempotency under custody (CLI, real SQLite file)', () => {
  const dir = tempDir();
  const file = join(dir.path, 'ledger.sqlite');
  const storeUrl = `sqlite:${file}`;
  const lines = join(dir.path, 'site.jsonl');
  const run = (user: string, ...argv: string[]) => cli(['--store', storeUrl, '--as', user, ...argv], { TRIAL_LEDGER_PASSWORD: PASSWORD });
  const verify = async (): Promise<{ status: number; report: VerifyReport }> => {
    const result = await cli(['--store', storeUrl, '--json', 'verify']);
    return { status: result.status, report: JSON.parse(result.stdout) as VerifyReport };
  };
  const all = async (): Promise<StoredEvent[]> => {
    const store = await openEventStore(storeUrl);
    try {
      const out: StoredEvent[] = [];
      for await (const e of store.readAll()) out.push(e);
      return out;
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    await seedUsers(storeUrl);
    expect((await run('admin', 'study', 'register')).status).toBe(0);
    writeFileSync(lines, `${screen('S001', 'k-s001')}\n${screen('S002', 'k-s002')}\n`);
    expect((await run('investigator', 'import', lines)).status).toBe(0);
  });
  afterAll(() => dir.remove());

  it('given a clean ledger, then verify checks the side records and warns about nothing', async () => {
    const { status, report } = await verify();
    expect(status).toBe(0);
    expect(report.sideRecords).toMatchObject({ ok: true, faults: [], tables: ['idempotency_keys', 'events.idempotency_key', 'merkle_nodes'] });
    expect(report.warnings).toEqual([]);
  });

  it('given an import file an investigator applied, when a monitor re-runs it, then it is refused and the refusal recorded — not skipped', async () => {
    const before = (await all()).length;

    const result = await run('monitor', '--json', 'import', lines);

    expect(result.status).not.toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, applied: 0, skipped: 0, failure: { line: 1, code: 'AUTH.ROLE_NOT_ALLOWED' } });
    const written = (await all()).slice(before);
    // the sign-in and the refusal are recorded; no clinical event, and no line counted as already applied
    expect(written.map((e) => [e.type, e.metadata.actor.username])).toEqual([['LoginSucceeded', 'monitor'], ['AuthorizationRefused', 'monitor']]);
  });

  it('given rows planted in idempotency_keys and an altered index column, then requests are not answered from them and verify names each', async () => {
    const events = await all();
    const victim = events.find((e) => e.metadata.idempotencyKey === 'k-s001') as StoredEvent;
    const attacker = new SqliteAttacker(file);
    const plant = attacker.db.prepare(
      'INSERT INTO idempotency_keys (idempotency_key, request_hash, event_ids, stream_versions, last_position, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    try {
      // planted: answers the next request with key k-s003 with another subject's event
      plant.run('k-s003', null, JSON.stringify([victim.eventId]), JSON.stringify({ [victim.streamId]: 1 }), victim.globalPosition, victim.metadata.recordedAt);
      // altered: claims key k-s002's request wrote S001's event
      plant.run('k-s002', null, JSON.stringify([victim.eventId]), JSON.stringify({ [victim.streamId]: 1 }), victim.globalPosition, victim.metadata.recordedAt);
      // planted: a key nobody ever used
      plant.run('k-never', null, JSON.stringify([victim.eventId]), JSON.stringify({ [victim.streamId]: 1 }), victim.globalPosition, victim.metadata.recordedAt);
      // orphaned: names an event the ledger does not hold
      plant.run('k-ghost', null, JSON.stringify(['00000000-0000-7000-8000-000000000000']), '{}', 1, victim.metadata.recordedAt);
      // the index column of S001's event now says k-s004
      attacker.exec('UPDATE events SET idempotency_key = ? WHERE global_position = ?', 'k-s004', victim.globalPosition);
    } finally {
      attacker.close();
    }
    writeFileSync(lines, `${screen('S003', 'k-s003')}\n${screen('S004', 'k-s004')}\n`);

    const imported = await run('investigator', '--json', 'import', lines);

    expect(JSON.parse(imported.stdout)).toMatchObject({ ok: true, applied: 2, skipped: 0 });
    const subjects = (await all()).filter((e) => e.type === 'SubjectScreened').map((e) => [e.streamId, e.metadata.idempotencyKey]);
    expect(subjects).toEqual([
      [`subject-${STUDY}-S001`, 'k-s001'],
      [`subject-${STUDY}-S002`, 'k-s002'],
      [`subject-${STUDY}-S003`, 'k-s003'],
      [`subject-${STUDY}-S004`, 'k-s004'],
    ]);
    const { status, report } = await verify();
    expect(status).toBe(3);
    expect(report.ok).toBe(false);
    expect(report.sideRecords.faults.map((f) => [f.table, f.record, f.problem]).sort()).toEqual([
      ['events.idempotency_key', String(victim.globalPosition), 'index-altered'],
      ['idempotency_keys', 'k-ghost', 'orphaned'],
      ['idempotency_keys', 'k-never', 'planted'],
      ['idempotency_keys', 'k-s002', 'altered'],
      ['idempotency_keys', 'k-s003', 'altered'],
    ]);
    const text = await cli(['--store', storeUrl, 'verify']);
    expect(text.stderr).toContain('SIDE RECORDS NOT BACKED BY THE CHAIN');
    expect(text.stderr).toContain('idempotency_keys k-ghost: orphaned');
  });

  it('given the append-only triggers dropped, then verify warns in text and --json', async () => {
    // SqliteAttacker drops the events triggers on opening the file (done in the test above).
    const { report } = await verify();
    expect(report.warnings.map((w) => w.code)).toEqual(['STORE.TRIGGER_MISSING', 'STORE.TRIGGER_MISSING']);
    expect(report.warnings.map((w) => w.message).join(' ')).toMatch(/events_no_update[\s\S]*events_no_delete/);
    const text = await cli(['--store', storeUrl, 'verify']);
    expect(text.stderr).toContain('WARNING [STORE.TRIGGER_MISSING]: append-only trigger events_no_update is missing');
  });

  it('given an append-only trigger re-created so that it never fires, then verify warns that it was altered', async () => {
    const attacker = new SqliteAttacker(file); // drops the events triggers on opening
    try {
      attacker.db.exec(`CREATE TRIGGER events_no_update BEFORE UPDATE ON events WHEN 0
        BEGIN SELECT RAISE(ABORT, 'ledger events are append-only: UPDATE refused'); END;`);
      attacker.db.exec(`CREATE TRIGGER events_no_delete BEFORE DELETE ON events
     BEGIN SELECT RAISE(ABORT, 'ledger events are append-only: DELETE refused'); END;`);
    } finally {
      attacker.close();
    }

    const { report } = await verify();

    expect(report.warnings).toEqual([expect.objectContaining({ code: 'STORE.TRIGGER_ALTERED', message: expect.stringContaining('events_no_update') })]);
  });
});
