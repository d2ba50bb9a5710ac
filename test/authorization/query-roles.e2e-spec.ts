import { QUERY_ROLES } from '@trial-ledger/domain';
import { listRoutes } from '../../apps/api/src/shared/routing/route-inventory';
import { startApiTestApp, type ApiTestApp } from '../api/support/api-test-app';

/** One read rule per query (#10): every GET route takes its roles from `QUERY_ROLES`, beside `COMMAND_ROLES`. */
describe('QUERY_ROLES is the one table of read roles', () => {
  let api: ApiTestApp;
  beforeAll(async () => {
    api = await startApiTestApp();
  });
  afterAll(() => api.close());

  it('every GET route of the API is a query of the table, with exactly its roles', () => {
    const reads = listRoutes(api.app).filter((r) => r.method === 'GET' && r.path.startsWith('api/v1/'));
    expect(reads.length).toBeGreaterThan(10);
    const table: Readonly<Record<string, readonly string[]>> = QUERY_ROLES;
    const mismatched = reads.filter((r) => !Object.hasOwn(table, r.operation) || JSON.stringify([...(r.roles ?? [])].sort()) !== JSON.stringify([...table[r.operation]].sort()));
    expect(mismatched.map((r) => `${r.operation} /${r.path}: ${JSON.stringify(r.roles)}`)).toEqual([]);
  });

  it('no clinical or ledger-wide read is open to the administrator; the user list is open to auditors', () => {
    const clinical = ['GetSubject', 'GetSubjectEvents', 'GetCasebook', 'GetStudyOverview', 'GetPfs', 'GetPfsPlot', 'ListSignatures', 'GetAuditTrail', 'ExportAuditTrail', 'ExportOdm', 'VerifyLedger'] as const;
    expect(clinical.filter((q) => (QUERY_ROLES[q] as readonly string[]).includes('admin'))).toEqual([]);
    expect([...QUERY_ROLES.ListUsers].sort()).toEqual(['admin', 'monitor', 'regulator']);
    expect([...QUERY_ROLES.GetUserHistory].sort()).toEqual(['admin', 'monitor', 'regulator']);
    // Users and study set-up only (the study and its history in their set-up view, the user-management history without subject ids): any other read the administrator gains fails here.
    expect(Object.entries(QUERY_ROLES).filter(([, roles]) => (roles as readonly string[]).includes('admin')).map(([q]) => q).sort()).toEqual(['GetStudy', 'GetStudyEvents', 'GetUser', 'GetUserHistory', 'ListUsers']);
  });
});
