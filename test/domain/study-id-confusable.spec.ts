import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeCommand, type CommandEnvelope } from '@trial-ledger/command-pipeline';
import { DomainError, loadDefaultProtocol, type StudyCommand } from '@trial-ledger/domain';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { ADMIN } from '../../libs/domain/src/subject/testing/subject.fixtures';

const register = (studyId: string): StudyCommand => ({ type: 'RegisterStudy', studyId, payload: { protocol: { ...loadDefaultProtocol(), studyId } } });

/** Study ids that differ only in case name one study to a reader of reports, exports and the viewer. */
describe('RegisterStudy through executeCommand: ids equal ignoring case are refused', () => {
  let dir: string;
  let store: SqliteEventStore;
  const clock = new FixedClock('2026-06-30T12:00:00.000Z');
  const envelope: CommandEnvelope = { actor: ADMIN, source: 'cli' };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tl-study-id-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
    await executeCommand(store, register('LAN-01'), envelope, { clock });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['lan-01', 'Lan-01', 'lAN-01'])('given LAN-01, when %s is registered, then STUDY.ID_CONFUSABLE and nothing is written', async (studyId) => {
    const head = (await store.head()).position;
    const refusal = await executeCommand(store, register(studyId), envelope, { clock }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({ code: 'STUDY.ID_CONFUSABLE', kind: 'conflict', details: { studyId, registeredStudyId: 'LAN-01' } });
    expect((await store.head()).position).toBe(head);
  });

  it('given LAN-01, when LAN-02 is registered, then it is recorded; LAN-01 again is STUDY.ALREADY_REGISTERED', async () => {
    expect((await executeCommand(store, register('LAN-02'), envelope, { clock })).events.map((e) => e.type)).toEqual(['StudyRegistered']);
    await expect(executeCommand(store, register('LAN-01'), envelope, { clock })).rejects.toMatchObject({ code: 'STUDY.ALREADY_REGISTERED' });
  });
});
