import { validate, version } from 'uuid';
import { newEventId } from './event-ids';

describe('newEventId', () => {
  it('gives valid, distinct, time-ordered UUID v7s across pool refills', () => {
    const ids = Array.from({ length: 1000 }, () => newEventId());
    expect(ids.every((id) => validate(id) && version(id) === 7)).toBe(true);
    expect(new Set(ids).size).toBe(1000);
    // Ordered by their timestamp prefix (48-bit ms): never decreasing.
    const stamps = ids.map((id) => id.replace(/-/g, '').slice(0, 12));
    for (let i = 1; i < stamps.length; i += 1) expect(stamps[i] >= stamps[i - 1]).toBe(true);
  });
});
