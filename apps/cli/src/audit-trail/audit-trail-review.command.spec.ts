import type { AuditTrailReview } from '@trial-ledger/audit';
import { formatReview } from './audit-trail-review.command';

const review = (summary: string): AuditTrailReview =>
  ({
    studyId: 'LANR-HGNET-01',
    from: null,
    to: null,
    position: 42,
    thresholds: {},
    dataCuts: [],
    verdict: '1 finding in 1 indicator',
    indicators: [
      {
        id: 'reason-quality',
        title: 'Reasons for change',
        definition: 'a correction or void without a reason or with a short one',
        findings: [{ indicator: 'reason-quality', subjectId: 'S003', username: 'sam', recordedAt: '2026-05-01T10:00:00.000Z', summary, eventIds: ['e-1'], positions: [7] }],
      },
    ],
    users: [],
    subjects: [],
  }) as unknown as AuditTrailReview;

describe('formatReview: the review as text', () => {
  it('keeps each finding on its row: a line feed in a quoted reason is shown escaped, so it cannot print a forged row or verdict', () => {
    const forged = 'EntryCorrected by sam with a reason of 7 visible characters (spaces not counted) "ok\n  2026-05-01  S001  kim  no finding" (minimum 10)';
    const lines = formatReview(review(forged)).split('\n');
    const rows = lines.filter((l) => l.includes('S003'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('"ok\\u000a  2026-05-01  S001  kim  no finding"');
    expect(lines.some((l) => l.trimStart().startsWith('2026-05-01  S001'))).toBe(false);
  });
});
