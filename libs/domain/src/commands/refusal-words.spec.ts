import { COMMAND_ROLES, QUERY_ROLES } from './command.types';
import { MONITORING_COMMAND_ROLES } from '../monitoring/monitoring.types';
import { SIGNATURE_ROLES } from '../identity/signature';
import { actionInWords, roleRefusalInWords } from './refusal-words';

describe('role refusals in words', () => {
  it('given the investigator refused the audit-trail review, when put in words, then it reads as a sentence with "An"', () => {
    expect(roleRefusalInWords('investigator', 'ReviewAuditTrail', ['monitor', 'regulator'])).toBe('An investigator may not review the audit trail (allowed: monitor, regulator)');
  });

  it('given a role beginning with a consonant or with a vowel, then the article is "A" or "An"', () => {
    expect([roleRefusalInWords('monitor', 'RecordDose', ['coordinator']), roleRefusalInWords('admin', 'GetCasebook', ['monitor'])]).toEqual([
      'A monitor may not record a dose (allowed: coordinator)',
      'An admin may not read a casebook (allowed: monitor)',
    ]);
  });

  it('given every command and query the roles table names, then each has words of its own, none an internal name', () => {
    const names = [...Object.keys(COMMAND_ROLES), ...Object.keys(QUERY_ROLES), ...Object.keys(MONITORING_COMMAND_ROLES), ...Object.keys(SIGNATURE_ROLES)];
    for (const name of names) expect([name, actionInWords(name)]).toEqual([name, expect.stringMatching(/^[a-z][A-Za-z0-9 '’()-]*[A-Za-z)]$/)]);
  });

  it('given an action already in words, then it is kept', () => {
    expect(actionInWords('add users')).toBe('add users');
  });

  it('given a name that is a property of every object (__proto__, constructor, toString), then it reads as words, not as that property', () => {
    expect([actionInWords('__proto__'), actionInWords('constructor'), actionInWords('toString')]).toEqual(['__proto__', 'constructor', 'toString']);
    expect(roleRefusalInWords('monitor', 'constructor', ['coordinator'])).toBe('A monitor may not constructor (allowed: coordinator)');
  });
});
