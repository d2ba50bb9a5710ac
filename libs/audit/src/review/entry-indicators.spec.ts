import { reviewThresholdsOf, type ReviewPolicy } from '@trial-ledger/domain';
import type { StoredEvent } from '@trial-ledger/event-store';
import { burstFindings, entryLagFindings, offHoursFindings } from './entry-indicators';
import type { ReviewLedger } from './review-ledger';

const STUDY = 'S-KRI';
let position = 0;

/** A recorded event as the store hands it out (only the fields the indicators read matter). */
const recorded = (type: string, recordedAt: string, data: Record<string, unknown> = {}): StoredEvent => {
  position += 1;
  return {
    eventId: `e${position}`,
    type,
    schemaVersion: 1,
    streamId: `subject-${STUDY}-S001`,
    streamVersion: position,
    globalPosition: position,
    data,
    metadata: {
      actor: { userId: 'cora', username: 'cora', fullName: 'cora', role: 'coordinator' },
      recordedAt,
      source: 'cli',
      protocolVersion: 1,
    } as unknown as StoredEvent['metadata'],
    prevHash: '0'.repeat(64),
    hash: '0'.repeat(64),
  };
};

const ledgerOf = (events: StoredEvent[], review: ReviewPolicy | null = null): ReviewLedger => ({
  studyId: STUDY,
  protocol: null,
  thresholds: reviewThresholdsOf(review === null ? null : { review }),
  events,
  byId: new Map(events.map((e) => [e.eventId, e])),
  byStream: new Map([[`subject-${STUDY}-S001`, events]]),
  from: null,
  to: null,
  dataCuts: [],
  position: events.length,
});

const ae = (onsetDate: string, recordedAt: string) => recorded('AdverseEventReported', recordedAt, { term: 'fatigue', onsetDate, ctcaeGrade: 1, serious: false, relatedness: 'unlikely' });

describe('entry-lag at its threshold, counted in the sites\' days', () => {
  it('given exactly entryLagDays (30) days, then it does not fire; 31 days fires', () => {
    const [on, over] = [ae('2026-03-01', '2026-03-31T10:00:00.000Z'), ae('2026-03-01', '2026-04-01T10:00:00.000Z')];
    expect(entryLagFindings(ledgerOf([on, over])).map((f) => f.eventIds)).toEqual([[over.eventId]]);
  });

  it('given sites in Tokyo, an entry made at 01:00 local on day 31 (still day 30 in UTC) is late, and in New York one made at 21:00 local on day 30 (day 31 in UTC) is not', () => {
    const tokyo = ae('2026-03-01', '2026-03-31T16:00:00.000Z');
    expect(entryLagFindings(ledgerOf([tokyo], { siteHours: { timeZone: 'Asia/Tokyo' } })).map((f) => f.summary)).toEqual([expect.stringContaining('recorded 31 days later')]);
    const newYork = ae('2026-03-01', '2026-04-01T01:00:00.000Z');
    expect(entryLagFindings(ledgerOf([newYork], { siteHours: { timeZone: 'America/New_York' } }))).toEqual([]);
  });
});

describe('off-hours in the sites\' time zone', () => {
  const berlin = { siteHours: { timeZone: 'Europe/Berlin', start: '07:00', end: '20:00' } };
  it('given Berlin hours across the spring DST change, then 06:59 local is outside, 07:00 inside and 20:00 outside', () => {
    const events = [
      recorded('AdverseEventReported', '2026-03-30T04:59:00.000Z'), // Monday 06:59 CEST
      recorded('AdverseEventReported', '2026-03-30T05:00:00.000Z'), // 07:00 CEST
      recorded('AdverseEventReported', '2026-03-27T18:59:59.999Z'), // Friday 19:59 CET
      recorded('AdverseEventReported', '2026-03-27T19:00:00.000Z'), // 20:00 CET
    ];
    expect(offHoursFindings(ledgerOf(events, berlin), events).map((f) => f.eventIds[0])).toEqual([events[0].eventId, events[3].eventId]);
  });

  it('given a write at Sunday 23:30 UTC, then it is Monday 00:30 in Berlin: outside hours, not a weekend', () => {
    const late = recorded('AdverseEventReported', '2026-01-04T23:30:00.000Z');
    expect(offHoursFindings(ledgerOf([late], berlin), [late]).map((f) => f.summary)).toEqual([expect.stringMatching(/Mon 00:30 Europe\/Berlin by cora \(outside 07:00–20:00\)$/)]);
  });
});

describe('burst at the edge of its window', () => {
  const at = (ms: number) => recorded('AdverseEventReported', new Date(Date.parse('2026-03-02T10:00:00.000Z') + ms).toISOString());
  const policy = { burst: { writes: 3, minutes: 10 } };
  it('given 4 writes with the last exactly 10 minutes after the first, then it is a burst (within 10 minutes, edges included)', () => {
    const events = [at(0), at(60_000), at(120_000), at(600_000)];
    expect(burstFindings(ledgerOf(events, policy), events)).toHaveLength(1);
  });
  it('given 4 writes with the last 1 ms past the 10 minutes, then it is not', () => {
    const events = [at(0), at(60_000), at(120_000), at(600_001)];
    expect(burstFindings(ledgerOf(events, policy), events)).toEqual([]);
  });
});
