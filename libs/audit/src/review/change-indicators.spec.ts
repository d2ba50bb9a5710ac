import { reviewThresholdsOf } from '@trial-ledger/domain';
import type { StoredEvent } from '@trial-ledger/event-store';
import { concentrationFindings, rateFindings } from './change-indicators';
import type { ReviewLedger } from './review-ledger';

const STUDY = 'S-KRI';
let position = 0;

/** A recorded event as the store hands it out (only the fields the indicators read matter). */
const recorded = (type: string, username: string, subjectId: string, data: Record<string, unknown> = {}): StoredEvent => {
  position += 1;
  return {
    eventId: `e${position}`,
    type,
    schemaVersion: 1,
    streamId: `subject-${STUDY}-${subjectId}`,
    streamVersion: position,
    globalPosition: position,
    data,
    metadata: {
      actor: { userId: username, username, fullName: username, role: 'coordinator' },
      recordedAt: '2026-03-02T10:00:00.000Z',
      source: 'cli',
      protocolVersion: 1,
    } as unknown as StoredEvent['metadata'],
    prevHash: '0'.repeat(64),
    hash: '0'.repeat(64),
  };
};

const ledgerOf = (events: StoredEvent[]): ReviewLedger => ({
  studyId: STUDY,
  protocol: null,
  thresholds: reviewThresholdsOf(null),
  events,
  byId: new Map(events.map((e) => [e.eventId, e])),
  byStream: new Map(),
  from: null,
  to: null,
  dataCuts: [],
  position: events.length,
});

describe('correction-rate and change-concentration at their thresholds', () => {
  it('given 81 corrections of 404 entries (20.05 %, above the 20 % threshold), then correction-rate fires', () => {
    const entries = Array.from({ length: 404 }, () => recorded('DoseAdministered', 'cora', 'S001'));
    const changes = Array.from({ length: 81 }, (_, i) => recorded('EntryCorrected', 'cora', 'S001', { targetEventId: entries[i].eventId }));
    const findings = rateFindings(ledgerOf([...entries, ...changes]), entries, changes).filter((f) => f.summary.includes('correction rate'));
    expect(findings.map((f) => f.summary)).toEqual([
      expect.stringMatching(/^user cora: correction rate 20\.05 % \(81 of 404 entries; threshold 20 %\)$/),
      expect.stringMatching(/^subject S001: correction rate 20\.05 % \(81 of 404 entries; threshold 20 %\)$/),
    ]);
  });

  it('given exactly 20 % (2 of 10), then it does not fire: the threshold is "above"', () => {
    const entries = Array.from({ length: 10 }, () => recorded('DoseAdministered', 'cora', 'S001'));
    const changes = [0, 1].map((i) => recorded('EntryCorrected', 'cora', 'S001', { targetEventId: entries[i].eventId }));
    expect(rateFindings(ledgerOf([...entries, ...changes]), entries, changes)).toEqual([]);
  });

  it('given one user with 481 of 801 changes (60.05 %, above the 60 % share), then change-concentration fires', () => {
    const changes = Array.from({ length: 801 }, (_, i) => recorded('EntryVoided', i < 481 ? 'cora' : `user${i % 7}`, 'S001', { targetEventId: 'x' }));
    const findings = concentrationFindings(ledgerOf(changes), changes);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ username: 'cora', summary: expect.stringContaining('cora made 481 of 801 corrections and voids (60.05 %; threshold 60 %)') });
  });

  it('given exactly 60 % (3 of 5), then change-concentration does not fire', () => {
    const changes = Array.from({ length: 5 }, (_, i) => recorded('EntryVoided', i < 3 ? 'cora' : 'ivan', 'S001', { targetEventId: 'x' }));
    expect(concentrationFindings(ledgerOf(changes), changes)).toEqual([]);
  });
});
