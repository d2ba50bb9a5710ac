import { currentSchemaVersion, upcast } from './upcasters';

describe('event upcasters', () => {
  const v1 = { type: 'AccountLockedOut', schemaVersion: 1, data: { userId: 'u-1', username: 'ivan', failures: 5, lockedUntil: '2026-03-02T09:30:00.000Z' } };

  it('given an AccountLockedOut at schema version 1, when upcast, then failures is read as consecutiveFailures at version 2', () => {
    expect(upcast(v1)).toEqual({
      type: 'AccountLockedOut',
      schemaVersion: 2,
      data: { userId: 'u-1', username: 'ivan', consecutiveFailures: 5, lockedUntil: '2026-03-02T09:30:00.000Z' },
    });
  });

  it('leaves the stored event itself untouched (its bytes are in the hash chain)', () => {
    upcast(v1);
    expect(v1.data).toEqual({ userId: 'u-1', username: 'ivan', failures: 5, lockedUntil: '2026-03-02T09:30:00.000Z' });
  });

  it('given an event already at the current version, when upcast, then it is returned as it is', () => {
    const v2 = { type: 'AccountLockedOut', schemaVersion: 2, data: { userId: 'u-1', username: 'ivan', consecutiveFailures: 5, lockedUntil: 'x' } };
    expect(upcast(v2)).toEqual(v2);
  });

  it('writes new events at the current version: 2 for AccountLockedOut, 1 for every type without an upcaster', () => {
    expect(currentSchemaVersion('AccountLockedOut')).toBe(2);
    expect(currentSchemaVersion('SubjectScreenFailed')).toBe(2);
    expect(currentSchemaVersion('EntryCorrected')).toBe(2);
    expect(currentSchemaVersion('DoseAdministered')).toBe(1);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('treats a stored type named %s as an ordinary type without upcasters', (type) => {
    const event = { type, schemaVersion: 1, data: { a: 1 } };
    expect(upcast(event)).toBe(event);
    expect(currentSchemaVersion(type)).toBe(1);
  });

  describe('the primary-site criterion named protocol-neutrally (primary-site-not-hindgut → primary-site-not-allowed)', () => {
    const assessed = { assessmentDate: '2026-01-03', age: 65, primarySite: 'ileum', whoGrade: 3, ki67Percent: 5, diseaseStatus: 'metastatic', measurableDisease: true, priorSystemicTherapy: false, ecog: 1 };

    it('given a SubjectScreenFailed at schema version 1 naming primary-site-not-hindgut, when upcast, then it names primary-site-not-allowed at version 2, the other criteria and their order kept', () => {
      const v1 = { type: 'SubjectScreenFailed', schemaVersion: 1, data: { ...assessed, failedCriteria: ['primary-site-not-hindgut', 'who-grade-not-allowed'] } };
      expect(upcast(v1)).toEqual({ type: 'SubjectScreenFailed', schemaVersion: 2, data: { ...assessed, failedCriteria: ['primary-site-not-allowed', 'who-grade-not-allowed'] } });
      expect(v1.data.failedCriteria).toEqual(['primary-site-not-hindgut', 'who-grade-not-allowed']);
    });

    it('given an EntryCorrected at schema version 1 whose before/after name primary-site-not-hindgut, when upcast, then both name primary-site-not-allowed', () => {
      const v1 = {
        type: 'EntryCorrected',
        schemaVersion: 1,
        data: {
          targetEventId: 'e-1', targetType: 'EligibilityConfirmed', reason: 'chart re-read', resultingType: 'SubjectScreenFailed',
          before: { primarySite: 'rectum', failedCriteria: [] }, after: { primarySite: 'ileum', failedCriteria: ['primary-site-not-hindgut'] },
        },
      };
      expect(upcast(v1).data).toEqual({ ...v1.data, after: { primarySite: 'ileum', failedCriteria: ['primary-site-not-allowed'] } });
      expect(upcast(v1).schemaVersion).toBe(2);
    });

    it('given an EntryCorrected at schema version 1 of another entry, when upcast, then its data is unchanged', () => {
      const v1 = { type: 'EntryCorrected', schemaVersion: 1, data: { targetEventId: 'e-1', targetType: 'DoseAdministered', reason: 'r', before: { lotNumber: 'A' }, after: { lotNumber: 'B' } } };
      expect(upcast(v1)).toEqual({ ...v1, schemaVersion: 2 });
    });
  });
});
