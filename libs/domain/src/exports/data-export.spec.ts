import type { Actor } from '../shared/actor';
import { DomainError } from '../shared/domain-error';
import { decideDataExport, requireExportRole, type RecordDataExport } from './data-export';

const monitor: Actor = { userId: 'u-mon', username: 'mona', fullName: 'Mona Monitor', role: 'monitor' };
const coordinator: Actor = { userId: 'u-coord', username: 'cora', fullName: 'Cora Coordinator', role: 'coordinator' };
const NOW = '2026-09-08T10:00:00.000Z';
const command = (data: Partial<RecordDataExport['data']> = {}): RecordDataExport => ({
  type: 'RecordDataExport',
  data: { kind: 'audit-trail', format: 'csv', channel: 'viewer', studyId: 'LANR-HGNET-01', filter: { user: 'iinv', changesOnly: '1' }, throughPosition: 42, requestDigest: 'a'.repeat(64), ...data },
});
const codeOf = (run: () => unknown): string | null => {
  try {
    run();
    return null;
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a domain error';
  }
};

describe('DataExported: who exported what, when', () => {
  it.each([
    ['investigator', 'odm', 'An investigator may not export the odm (allowed: monitor, regulator)'],
    ['coordinator', 'audit-trail', 'A coordinator may not export the audit-trail'],
    ['admin', 'adtte', 'An admin may not export the adtte'],
  ] as const)('given the role %s, when the %s export is asked for, then AUTH.ROLE_NOT_ALLOWED says "a" or "an" as English does', (role, kind, words) => {
    const actor: Actor = { ...coordinator, role };
    expect(() => requireExportRole(kind, actor)).toThrow(words);
    expect(codeOf(() => requireExportRole(kind, actor))).toBe('AUTH.ROLE_NOT_ALLOWED');
  });

  it('given a monitor, when an audit-trail export is recorded, then one DataExported names the user, the filter (in key order) and the bound', () => {
    expect(decideDataExport(command(), { actor: monitor, now: NOW })).toEqual([
      {
        type: 'DataExported',
        data: {
          kind: 'audit-trail', format: 'csv', channel: 'viewer', studyId: 'LANR-HGNET-01', filter: { changesOnly: '1', user: 'iinv' }, throughPosition: 42,
          requestDigest: 'a'.repeat(64), userId: 'u-mon', username: 'mona', role: 'monitor', at: NOW,
        },
      },
    ]);
  });

  it('given a role the export is not for, then AUTH.ROLE_NOT_ALLOWED (403) and nothing decided; site staff may export ADTTE', () => {
    expect(codeOf(() => decideDataExport(command(), { actor: coordinator, now: NOW }))).toBe('AUTH.ROLE_NOT_ALLOWED');
    expect(codeOf(() => decideDataExport(command({ kind: 'odm', format: 'xml' }), { actor: coordinator, now: NOW }))).toBe('AUTH.ROLE_NOT_ALLOWED');
    expect(decideDataExport(command({ kind: 'adtte', format: 'csv' }), { actor: coordinator, now: NOW })).toHaveLength(1);
  });

  it.each([
    ['a format the kind has not', { kind: 'odm', format: 'csv' }],
    ['a bidi override in a filter value', { filter: { user: 'a\u202eb' } }],
    ['a zero-width format character', { filter: { subject: 'S\u200b001' } }],
    ['a control character in the study', { studyId: 'S\u0000' }],
    ['a filter key that is not a plain name', { filter: { __proto__x: 'v' } }],
    ['an overlong filter value', { filter: { user: 'x'.repeat(201) } }],
    ['too many conditions', { filter: Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`k${'abcdefghijklm'[i]}`, 'v'])) }],
    ['a position that is not one', { throughPosition: -1 }],
    ['a digest that is not SHA-256 hex', { requestDigest: 'nope' }],
  ] as const)('refuses %s with EXPORT.INVALID_RECORD', (_name, data) => {
    expect(codeOf(() => decideDataExport(command(data as Partial<RecordDataExport['data']>), { actor: monitor, now: NOW }))).toBe('EXPORT.INVALID_RECORD');
  });

  it('keeps a `__proto__`-looking value as plain text, never as a prototype', () => {
    const [event] = decideDataExport(command({ filter: { user: '__proto__', subject: 'constructor' } }), { actor: monitor, now: NOW });
    expect(event.data.filter).toEqual({ subject: 'constructor', user: '__proto__' });
    expect(Object.getPrototypeOf(event.data.filter)).toBe(Object.prototype);
  });
});
