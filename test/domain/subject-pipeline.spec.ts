import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeCommand, handleCommand, signatureCommandPlan, toRecorded, type Command, type CommandEnvelope } from '@trial-ledger/command-pipeline';
import { DomainError, foldSubject, currentSubjectEntries, studyStreamId, subjectStreamId, type RecordedSubjectEvent } from '@trial-ledger/domain';
import { ConcurrencyError, FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import {
  ADMIN,
  baselineAssessment,
  COORDINATOR,
  dose,
  eligibility,
  ENROLLMENT_DATE,
  INVESTIGATOR,
  MONITOR,
  registerStudy,
  screening,
  STUDY_ID,
  subjectCommand,
} from '../../libs/domain/src/subject/testing/subject.fixtures';

/**
 * The deciders through the one pipeline over a real, temp-file SQLite store: concurrency, idempotency,
 * corrections and the lock, as the API, the CLI and the import will run them.
 */
describe('subject commands through executeCommand (SQLite)', () => {
  let dir: string;
  let store: SqliteEventStore;
  const clock = new FixedClock('2026-06-30T12:00:00.000Z');
  const as = (actor = INVESTIGATOR, extra: Partial<CommandEnvelope> = {}): CommandEnvelope => ({ actor, source: 'api', ...extra });
  const run = (command: Command, envelope: CommandEnvelope = as()) => executeCommand(store, command, envelope, { clock });
  const refusal = async (promise: Promise<unknown>): Promise<string> => {
    try {
      await promise;
    } catch (error) {
      if (error instanceof DomainError || error instanceof ConcurrencyError) return error.code;
      throw error;
    }
    throw new Error('expected a refusal');
  };
  const subjectState = async (subjectId = 'S001') =>
    foldSubject((await store.readStream(subjectStreamId(STUDY_ID, subjectId))).map((e) => toRecorded(e) as unknown as RecordedSubjectEvent));

  const makeEligible = async (subjectId: string) => {
    await run(subjectCommand('ScreenSubject', screening(), subjectId), as(COORDINATOR));
    await run(subjectCommand('AssessEligibility', eligibility(), subjectId));
  };
  const enroll = (subjectId: string) => run(subjectCommand('EnrollSubject', { enrollmentDate: ENROLLMENT_DATE }, subjectId));

  /**
   * Runs `race` once, just before the first append that writes `streamId` (after that command has read
   * and decided): what another request commits in between. Returns whether it ran.
   */
  const raceFirstAppendTo = (streamId: string, race: (append: SqliteEventStore['append']) => Promise<void>): (() => boolean) => {
    const append = store.append.bind(store);
    let raced = false;
    store.append = async (request) => {
      if (!raced && request.writes.some((w) => w.streamId === streamId)) {
        raced = true;
        await race(append);
      }
      return append(request);
    };
    return () => raced;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tl-domain-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
    await run(registerStudy(), as(ADMIN, { source: 'cli' }));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given 40 eligible subjects, when all 40 are enrolled concurrently, then exactly 28 are enrolled as numbers 1..28 and 12 get ENROLLMENT.CAP_REACHED', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `S${String(i + 1).padStart(3, '0')}`);
    for (const id of ids) await makeEligible(id);
    let conflicts = 0;
    const append = store.append.bind(store);
    store.append = async (request) => {
      try {
        return await append(request);
      } catch (error) {
        if (error instanceof ConcurrencyError) conflicts += 1;
        throw error;
      }
    };

    const results = await Promise.allSettled(ids.map((id) => enroll(id)));

    const codes = results.map((r) => (r.status === 'fulfilled' ? 'enrolled' : (r.reason as DomainError).code));
    expect(codes.filter((c) => c === 'enrolled')).toHaveLength(28);
    expect(codes.filter((c) => c === 'ENROLLMENT.CAP_REACHED')).toHaveLength(12);
    const roster = (await store.readStream(studyStreamId(STUDY_ID))).filter((e) => e.type === 'SubjectAddedToRoster');
    expect(roster.map((e) => e.data.subjectNumber)).toEqual(Array.from({ length: 28 }, (_, i) => i + 1));
    expect(new Set(roster.map((e) => e.data.subjectId)).size).toBe(28);
    const enrolledNumbers: number[] = [];
    for (const id of ids) {
      const state = await subjectState(id);
      if (state.status === 'enrolled') enrolledNumbers.push(state.enrollment.subjectNumber);
    }
    expect(enrolledNumbers.sort((a, b) => a - b)).toEqual(roster.map((e) => e.data.subjectNumber));
    // The requests really raced: appends lost to a concurrent enrollment and were decided again.
    expect(conflicts).toBeGreaterThan(0);
  });

  it('given no S001, when it is screened under If-Match: * (the stream must exist), then CONCURRENCY.VERSION_CONFLICT and nothing is written; a study registered already holds *, and its refusal is the domain\'s', async () => {
    const before = await store.head();
    expect(await refusal(run(subjectCommand('ScreenSubject', screening(), 'S001'), as(COORDINATOR, { streamMustExist: true })))).toBe('CONCURRENCY.VERSION_CONFLICT');
    expect((await store.head()).position).toBe(before.position);
    expect(await refusal(run(registerStudy(), as(ADMIN, { streamMustExist: true })))).not.toBe('CONCURRENCY.VERSION_CONFLICT');
    expect((await run(subjectCommand('ScreenSubject', screening(), 'S001'), as(COORDINATOR))).primaryVersion).toBe(1);
  });

  it('given S001 enrolled (subject stream at version 3), when a dose names the stale version 2, then CONCURRENCY.VERSION_CONFLICT and nothing is written', async () => {
    await makeEligible('S001');
    await enroll('S001');
    const before = await store.head();
    const code = await refusal(run(subjectCommand('RecordDose', dose(1, '2026-01-06')), as(COORDINATOR, { expectedVersion: 2 })));
    expect(code).toBe('CONCURRENCY.VERSION_CONFLICT');
    expect((await store.head()).position).toBe(before.position);
    const ok = await run(subjectCommand('RecordDose', dose(1, '2026-01-06')), as(COORDINATOR, { expectedVersion: 3 }));
    expect(ok.primaryVersion).toBe(4);
  });

  it('given S001 at version 3 and a dose naming it (If-Match), when another subject is enrolled between its read and its append (the study stream moves), then the dose is decided again and recorded: the client pinned its own stream only', async () => {
    await makeEligible('S001');
    await makeEligible('S002');
    await enroll('S001');
    const raced = raceFirstAppendTo(subjectStreamId(STUDY_ID, 'S001'), async () => {
      await enroll('S002');
    });
    const ok = await run(subjectCommand('RecordDose', dose(1, '2026-01-06')), as(COORDINATOR, { expectedVersion: 3 }));
    expect(raced()).toBe(true);
    expect(ok.primaryVersion).toBe(4);
    expect((await subjectState('S002')).status).toBe('enrolled');
  });

  it('given S001 at version 3 and a dose naming it (If-Match), when another dose of S001 is appended between its read and its append, then CONCURRENCY.VERSION_CONFLICT and the dose is not written', async () => {
    await makeEligible('S001');
    await enroll('S001');
    raceFirstAppendTo(subjectStreamId(STUDY_ID, 'S001'), async (append) => {
      await append({ writes: [{ streamId: subjectStreamId(STUDY_ID, 'S001'), expectedVersion: 3, events: [{ eventId: '01890000-0000-7000-8000-000000000001', type: 'DoseAdministered', schemaVersion: 1, data: { ...dose(1, '2026-01-06'), window: { dueOn: '2026-01-05', from: '2026-01-05', to: '2026-01-12' } }, metadata: { actor: COORDINATOR, reason: null, correlationId: 'c', causationId: null, idempotencyKey: null, source: 'api', protocolVersion: 1 } }] }], checks: [], idempotencyKey: null, requestHash: null });
    });
    expect(await refusal(run(subjectCommand('RecordDose', dose(2, '2026-02-03')), as(COORDINATOR, { expectedVersion: 3 })))).toBe('CONCURRENCY.VERSION_CONFLICT');
    expect((await store.readStream(subjectStreamId(STUDY_ID, 'S001'))).map((e) => e.type).filter((t) => t === 'DoseAdministered')).toHaveLength(1);
  });

  it('given a dose recorded with an idempotency key, when the same request is replayed, then the first outcome is returned and nothing is written', async () => {
    await makeEligible('S001');
    await enroll('S001');
    const first = await run(subjectCommand('RecordDose', dose(1, '2026-01-20')), as(COORDINATOR, { idempotencyKey: 'k-dose-1', requestHash: 'h1' }));
    const head = await store.head();
    const again = await run(subjectCommand('RecordDose', dose(1, '2026-01-20')), as(COORDINATOR, { idempotencyKey: 'k-dose-1', requestHash: 'h1' }));
    expect(again.repeated).toBe(true);
    expect(again.events.map((e) => e.eventId)).toEqual(first.events.map((e) => e.eventId));
    expect(first.events.map((e) => e.type)).toEqual(['DoseAdministered', 'ProtocolDeviationDetected']);
    expect((await store.head()).position).toBe(head.position);
  });

  it('given a dose written under key k-dose-2, when corrected by targetIdempotencyKey and then corrected again through the correction, then the latest value wins and the original is untouched', async () => {
    await makeEligible('S001');
    await run(subjectCommand('RecordTumorAssessment', baselineAssessment()), as(COORDINATOR));
    await enroll('S001');
    await run(subjectCommand('RecordDose', dose(1, '2026-01-06')), as(COORDINATOR));
    const dosed = await run(subjectCommand('RecordDose', dose(2, '2026-02-03')), as(COORDINATOR, { idempotencyKey: 'k-dose-2' }));
    const doseId = dosed.events[0].eventId;

    const first = await run(subjectCommand('CorrectEntry', { targetIdempotencyKey: 'k-dose-2', changes: { administeredOn: '2026-02-04' }, reason: 'date mistyped' }), as(COORDINATOR, { idempotencyKey: 'k-fix-1' }));
    expect(first.events[0].data).toMatchObject({ targetEventId: doseId, before: { administeredOn: '2026-02-03' }, after: { administeredOn: '2026-02-04' } });
    expect(first.events[0].metadata.reason).toBe('date mistyped');

    const second = await run(subjectCommand('CorrectEntry', { targetIdempotencyKey: 'k-fix-1', changes: { administeredOn: '2026-02-05' }, reason: 'second look at the chart' }), as(COORDINATOR));
    expect(second.events[0].data).toMatchObject({ targetEventId: doseId, before: { administeredOn: '2026-02-04' }, after: { administeredOn: '2026-02-05' } });

    const entry = currentSubjectEntries(await subjectState()).find((e) => e.eventId === doseId)!;
    expect(entry.current.data).toMatchObject({ administeredOn: '2026-02-05' });
    expect((await store.getEvent(doseId))!.data).toMatchObject({ administeredOn: '2026-02-03' });
  });

  it('given an unknown idempotency key, when a correction names it, then ENTRY.NOT_FOUND', async () => {
    await makeEligible('S001');
    expect(await refusal(run(subjectCommand('CorrectEntry', { targetIdempotencyKey: 'nope', changes: { age: 70 }, reason: 'x' })))).toBe('ENTRY.NOT_FOUND');
  });

  it('given a dose, when it is voided, then EntryVoided is stored, the current entries omit it and the cycle may be recorded again', async () => {
    await makeEligible('S001');
    await enroll('S001');
    const dosed = await run(subjectCommand('RecordDose', dose(1, '2026-01-06')), as(COORDINATOR, { idempotencyKey: 'k-d1' }));
    const voided = await run(subjectCommand('VoidEntry', { targetIdempotencyKey: 'k-d1', reason: 'wrong subject' }), as(COORDINATOR));
    expect(voided.events.map((e) => [e.type, e.data.targetEventId])).toEqual([['EntryVoided', dosed.events[0].eventId]]);
    expect(currentSubjectEntries(await subjectState()).some((e) => e.eventId === dosed.events[0].eventId)).toBe(false);
    const again = await run(subjectCommand('RecordDose', dose(1, '2026-01-07')), as(COORDINATOR));
    expect(again.events[0].type).toBe('DoseAdministered');
  });

  it('given a locked study, when a dose is recorded, then STUDY.LOCKED and nothing is written; after unlocking it is accepted', async () => {
    await makeEligible('S001');
    await enroll('S001');
    await run({ type: 'LockStudy', studyId: STUDY_ID, payload: { reason: 'interim analysis' } }, as(ADMIN));
    const head = await store.head();
    expect(await refusal(run(subjectCommand('RecordDose', dose(1, '2026-01-06')), as(COORDINATOR)))).toBe('STUDY.LOCKED');
    expect((await store.head()).position).toBe(head.position);
    await run({ type: 'UnlockStudy', studyId: STUDY_ID, payload: { reason: 'queries resolved' } }, as(ADMIN));
    expect((await run(subjectCommand('RecordDose', dose(1, '2026-01-06')), as(COORDINATOR))).events).toHaveLength(1);
  });

  it('given a locked study, when the investigator signs a casebook or a monitor a record, then STUDY.LOCKED and nothing is written; after unlocking it is signed', async () => {
    await makeEligible('S001');
    await enroll('S001');
    const subject = subjectStreamId(STUDY_ID, 'S001');
    const sign = async (actor: typeof INVESTIGATOR, scope: 'casebook' | { eventId: string }) => {
      const plan = signatureCommandPlan(
        { studyId: STUDY_ID, subjectId: 'S001', meaning: actor === INVESTIGATOR ? 'approval' : 'review', scope, signer: { userId: actor.userId, username: actor.username, fullName: actor.fullName } },
        (streamId, version, hash) => `${streamId}:${version}:${hash}`,
      );
      return handleCommand(store, plan, { actor, source: 'api', expectedVersion: await store.streamVersion(subject) }, { clock });
    };
    const enrolled = (await store.readStream(subject)).at(-1)!.eventId;
    await run({ type: 'LockStudy', studyId: STUDY_ID, payload: { reason: 'database lock' } }, as(ADMIN));
    const head = await store.head();
    expect(await refusal(sign(INVESTIGATOR, 'casebook'))).toBe('STUDY.LOCKED');
    expect(await refusal(sign(MONITOR, { eventId: enrolled }))).toBe('STUDY.LOCKED');
    expect((await store.head()).position).toBe(head.position);
    await run({ type: 'UnlockStudy', studyId: STUDY_ID, payload: { reason: 'queries resolved' } }, as(ADMIN));
    expect((await sign(INVESTIGATOR, 'casebook')).events.map((e) => e.type)).toEqual(['CasebookSigned']);
  });

  it('given an amended protocol, when a subject event is written, then its metadata carries the protocol version in force', async () => {
    const { loadDefaultProtocol } = await import('@trial-ledger/domain');
    await run({ type: 'AmendProtocol', studyId: STUDY_ID, payload: { protocol: { ...loadDefaultProtocol(), version: 2 }, reason: 'Amendment 1' } }, as(ADMIN));
    const screened = await run(subjectCommand('ScreenSubject', screening()), as(COORDINATOR));
    expect(screened.events[0].metadata.protocolVersion).toBe(2);
  });

  it('given cycles 1–3 under v1 and the interval amended to 21 ± 2, when cycle 2 is corrected and cycle 4 recorded through the pipeline, then cycle 3 keeps v1\'s schedule (no deviation) and cycle 4 is judged by v2\'s, also when re-judged', async () => {
    const { loadDefaultProtocol } = await import('@trial-ledger/domain');
    await makeEligible('S001');
    await run(subjectCommand('RecordTumorAssessment', baselineAssessment()), as(COORDINATOR));
    await enroll('S001');
    await run(subjectCommand('RecordDose', dose(1, '2026-01-06')), as(COORDINATOR));
    const second = await run(subjectCommand('RecordDose', dose(2, '2026-02-03')), as(COORDINATOR));
    await run(subjectCommand('RecordDose', dose(3, '2026-03-03')), as(COORDINATOR));
    const v1 = loadDefaultProtocol();
    await run({ type: 'AmendProtocol', studyId: STUDY_ID, payload: { protocol: { ...v1, version: 2, treatment: { ...v1.treatment, intervalDays: 21, windowDays: 2 } }, reason: 'Amendment 1' } }, as(ADMIN));
    const corrected = await run(subjectCommand('CorrectEntry', { targetEventId: second.events[0].eventId, changes: { administeredOn: '2026-02-05' }, reason: 'date mistyped' }), as(COORDINATOR));
    expect(corrected.events.map((e) => e.type)).toEqual(['EntryCorrected']);
    const fourth = await run(subjectCommand('RecordDose', dose(4, '2026-03-24')), as(COORDINATOR));
    expect(fourth.events.map((e) => [e.type, e.metadata.protocolVersion])).toEqual([['DoseAdministered', 2]]);
    expect((fourth.events[0].data as { window: unknown }).window).toEqual({ dueOn: '2026-03-24', from: '2026-03-22', to: '2026-03-26' });
    // Cycle 3 corrected to 03-05: cycle 4, recorded under v2, is re-judged by v2 (due 03-26 ± 2), not v1 (due 04-02 ± 3).
    const third = (await store.readStream(subjectStreamId(STUDY_ID, 'S001'))).filter((e) => e.type === 'DoseAdministered')[2];
    const again = await run(subjectCommand('CorrectEntry', { targetEventId: third.eventId, changes: { administeredOn: '2026-03-05' }, reason: 'date mistyped' }), as(COORDINATOR));
    expect(again.events.map((e) => e.type)).toEqual(['EntryCorrected']);
    // Each dose carries the version it was recorded under, whatever was corrected since.
    expect((await subjectState()).facts.doses.map((d) => [d.cycle, d.protocolVersion])).toEqual([[1, 1], [2, 1], [3, 1], [4, 2]]);
  });
});
