import { DEFAULT_REVIEW_THRESHOLDS, reviewThresholdsOf } from './protocol-review';
import type { ProtocolDocument } from './protocol.types';
import { loadDefaultProtocol, protocolProblems } from './protocol.validate';

describe('the protocol document\'s review block (audit-trail review thresholds)', () => {
  const withReview = (review: unknown) => ({ ...loadDefaultProtocol(), review });

  it('given the seed protocol, then its review block is valid and equals the defaults', () => {
    expect(protocolProblems(loadDefaultProtocol())).toEqual([]);
    expect(reviewThresholdsOf(loadDefaultProtocol())).toEqual(DEFAULT_REVIEW_THRESHOLDS);
  });

  it('given an older protocol without the block, then it is valid and gets the defaults', () => {
    const { review: _review, ...older } = loadDefaultProtocol();
    expect(protocolProblems(older)).toEqual([]);
    expect(reviewThresholdsOf(older as ProtocolDocument)).toEqual(DEFAULT_REVIEW_THRESHOLDS);
  });

  it('given a partial block, then the given fields win and the rest are defaults', () => {
    const doc = withReview({ entryLagDays: 7, siteHours: { timeZone: 'Europe/Paris' } });
    expect(protocolProblems(doc)).toEqual([]);
    expect(reviewThresholdsOf(doc as ProtocolDocument)).toMatchObject({ entryLagDays: 7, siteHours: { timeZone: 'Europe/Paris', start: '07:00', end: '20:00', weekends: false }, burst: DEFAULT_REVIEW_THRESHOLDS.burst });
  });

  it.each([
    ['an unknown field', { __proto__: null, constructor: 1 }, 'review.constructor: unknown field'],
    ['a negative lag', { entryLagDays: -1 }, 'review.entryLagDays: must be an integer from 0 to 3650 (got -1)'],
    ['an unknown time zone', { siteHours: { timeZone: 'Mars/Olympus' } }, 'review.siteHours.timeZone: must be an IANA time zone such as Europe/Paris (got "Mars/Olympus")'],
    ['hours that end before they start', { siteHours: { start: '18:00', end: '08:00' } }, 'review.siteHours: end must be after start'],
    ['a malformed hour', { siteHours: { start: '7am' } }, 'review.siteHours.start: must be HH:MM'],
    ['a zero burst window', { burst: { minutes: 0 } }, 'review.burst.minutes: must be an integer from 1 to 1440'],
    ['a block that is not an object', ['x'], 'review: must be an object'],
  ])('given %s, then the protocol is refused naming it', (_name, review, problem) => {
    expect(protocolProblems(withReview(review))).toContain(problem);
  });
});
