import type { Actor } from '@trial-ledger/domain';
import type { ProjectedEvent } from '../projected-event';
import { casebookMonitoring, entrySdv, evolveMonitoring, initialMonitoringState, listQueries, monitoringFolder, subjectSdvProgress } from './monitoring.projection';

const STUDY = 'LANR-HGNET-01';
const Q = 'a'.repeat(32);
const monitor: Actor = { userId: 'u-m', username: 'mona', fullName: 'Mona Monitor', role: 'monitor' };
const coordinator: Actor = { userId: 'u-c', username: 'cora', fullName: 'Cora Coordinator', role: 'coordinator' };
let position = 0;
const event = (streamId: string, type: string, data: Record<string, unknown>, actor: Actor = coordinator, day = 1): ProjectedEvent => {
  position += 1;
  return { type, data, streamId, eventId: `e${position}`, streamVersion: position, globalPosition: position, recordedAt: `2026-03-${String(day).padStart(2, '0')}T10:00:00.000Z`, actor, idempotencyKey: null, reason: null } as ProjectedEvent;
};
const subject = `subject-${STUDY}-S001`;
const query = `query-${STUDY}-${Q}`;

/** Given these events in log order, the read model as monitors read it on 2026-03-20. */
const given = (events: ProjectedEvent[]) => {
  const folder = monitoringFolder(STUDY);
  events.forEach((e) => folder.add(e));
  return folder.state();
};

describe('monitoring read model', () => {
  position = 0;
  const dose = event(subject, 'DoseAdministered', { cycle: 1, administeredOn: '2026-03-01', lotNumber: 'L1' });
  const opened = event(query, 'QueryOpened', { studyId: STUDY, queryId: Q, target: { subjectId: 'S001', eventId: dose.eventId, eventType: 'DoseAdministered', fieldPath: 'administeredOn' }, questionedValueHash: 'h', text: 'date?', origin: 'monitor', deviationEventId: null }, monitor, 2);
  const lotFixed = event(subject, 'EntryCorrected', { targetEventId: dose.eventId, targetType: 'DoseAdministered', before: { lotNumber: 'L1' }, after: { lotNumber: 'L2' }, reason: 'label' }, coordinator, 3);
  const dateFixed = event(subject, 'EntryCorrected', { targetEventId: dose.eventId, targetType: 'DoseAdministered', before: { administeredOn: '2026-03-01' }, after: { administeredOn: '2026-03-02' }, reason: 'log' }, coordinator, 4);
  const closed = event(query, 'QueryClosed', { queryId: Q, text: null }, monitor, 5);
  const verified = event(`sdv-${STUDY}-S001`, 'RecordSourceVerified', { studyId: STUDY, subjectId: 'S001', targetEventId: dose.eventId, targetType: 'DoseAdministered', verifiedValueHash: 'v' }, monitor, 6);
  const lateFix = event(subject, 'EntryCorrected', { targetEventId: dose.eventId, targetType: 'DoseAdministered', before: { administeredOn: '2026-03-02' }, after: { administeredOn: '2026-03-03' }, reason: 'again' }, coordinator, 7);
  const otherStudy = event(`query-${STUDY}-X-${Q}`, 'QueryOpened', { studyId: `${STUDY}-X`, queryId: Q, target: {}, origin: 'monitor' }, monitor, 8);

  it('links a correction of the questioned field made while open, not one of another field', () => {
    const [view] = listQueries(given([dose, opened, lotFixed, dateFixed]), '2026-03-20T00:00:00.000Z');
    expect(view).toMatchObject({ status: 'open', linkedChangeIds: [dateFixed.eventId], ageDays: 17 });
    expect(view.thread.map((t) => t.kind)).toEqual(['opened', 'target-corrected']);
  });

  it('derives closed-modified from a change after the close, and measures the age to the close', () => {
    const [view] = listQueries(given([dose, opened, dateFixed, closed, lateFix]), '2026-03-20T00:00:00.000Z');
    expect(view).toMatchObject({ status: 'closed-modified', ageDays: 3, resolvedAt: closed.recordedAt });
    expect(view.thread.at(-1)).toMatchObject({ kind: 'target-corrected', whileOpen: false, reason: 'again' });
  });

  it('counts a closed-modified query as closed when the list is filtered by status closed; closed-modified alone narrows to those', () => {
    const state = given([dose, opened, dateFixed, closed, lateFix]);
    const now = '2026-03-20T00:00:00.000Z';
    expect(listQueries(state, now, { status: 'closed' }).map((q) => q.status)).toEqual(['closed-modified']);
    expect(listQueries(state, now, { status: 'closed-modified' }).map((q) => q.status)).toEqual(['closed-modified']);
    expect(listQueries(state, now, { status: 'open' })).toEqual([]);
    expect(listQueries(given([dose, opened, closed]), now, { status: 'closed-modified' })).toEqual([]);
    expect(listQueries(given([dose, opened, closed]), now, { status: 'closed' }).map((q) => q.status)).toEqual(['closed']);
  });

  it('revokes SDV by a later correction, and counts progress over the source-data entries', () => {
    const state = given([dose, opened, dateFixed, closed, verified, lateFix]);
    expect(entrySdv(state, dose.eventId, 'DoseAdministered')).toMatchObject({ status: 'revoked', revokedBy: { kind: 'correction', eventId: lateFix.eventId } });
    expect(subjectSdvProgress(given([dose, verified]), 'S001')).toMatchObject({ entries: 1, verified: 1, revoked: 0, percentVerified: 100 });
  });

  it('shows a query on a system-detected deviation beside that deviation (the casebook and the viewer page), outside SDV coverage', () => {
    const Q2 = 'b'.repeat(32);
    const deviation = event(subject, 'ProtocolDeviationDetected', { deviationDate: '2026-03-01', category: 'dose-off-window', severity: 'minor', cycle: 1 }, coordinator, 9);
    const onDeviation = event(`query-${STUDY}-${Q2}`, 'QueryOpened', { studyId: STUDY, queryId: Q2, target: { subjectId: 'S001', eventId: deviation.eventId, eventType: 'ProtocolDeviationDetected', fieldPath: null }, questionedValueHash: 'h', text: 'agreed delay?', origin: 'monitor', deviationEventId: null }, monitor, 10);
    const monitoring = casebookMonitoring(given([dose, deviation, onDeviation]), 'S001', '2026-03-20T00:00:00.000Z');
    expect(monitoring.entries[deviation.eventId]).toMatchObject({ targetEventId: deviation.eventId, sdv: { status: 'not-verified', targetType: 'ProtocolDeviationDetected' } });
    expect(monitoring.entries[deviation.eventId].queries.map((q) => q.queryId)).toEqual([Q2]);
    expect(monitoring.entries[dose.eventId].queries).toEqual([]);
    expect(monitoring.sdv.entries).toBe(1);
  });

  it('ignores another study whose id starts the same, and evolves purely (the previous state is unchanged)', () => {
    const before = given([dose, opened]);
    const after = evolveMonitoring(before, closed);
    expect(listQueries(before, '2026-03-20T00:00:00.000Z')[0].status).toBe('open');
    expect(listQueries(after, '2026-03-20T00:00:00.000Z')[0].status).toBe('closed');
    expect(evolveMonitoring(initialMonitoringState(STUDY), otherStudy).queries.size).toBe(0);
  });
});
