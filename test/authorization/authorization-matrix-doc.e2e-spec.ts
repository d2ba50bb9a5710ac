import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { listRoutes, type InventoriedRoute } from '../../apps/api/src/shared/routing/route-inventory';
import { buildProgram } from '../../apps/cli/src/program';
import { AUTHORIZATION_MATRIX_DOC, CLI_ACCESS, REGENERATE_COMMAND, cliCommandNames, renderAuthorizationMatrix } from '../../scripts/authorization-matrix';
import { startApiTestApp, type ApiTestApp } from '../api/support/api-test-app';

const DOC_PATH = join(__dirname, '..', '..', AUTHORIZATION_MATRIX_DOC);

/**
 * `docs/authorization-matrix.md` is generated from the running app and the CLI registry; this test
 * fails when the committed file is outdated. With `UPDATE_AUTHORIZATION_MATRIX=1` it writes the file
 * instead (the npm-free way to regenerate it; see the command in the doc's header).
 */
describe('docs/authorization-matrix.md is generated from the live route table and the CLI registry', () => {
  let api: ApiTestApp;
  let routes: InventoriedRoute[];
  beforeAll(async () => {
    api = await startApiTestApp();
    routes = listRoutes(api.app);
  });
  afterAll(async () => api?.close());

  it('the committed document equals the generated one', () => {
    const generated = renderAuthorizationMatrix({ routes, cli: buildProgram() });
    if (process.env.UPDATE_AUTHORIZATION_MATRIX === '1') {
      mkdirSync(dirname(DOC_PATH), { recursive: true });
      writeFileSync(DOC_PATH, generated);
    }
    const committed = readFileSync(DOC_PATH, 'utf8');
    expect({ upToDate: committed === generated, regenerate: REGENERATE_COMMAND }).toEqual({ upToDate: true, regenerate: REGENERATE_COMMAND });
  });

  it('names every API route with its operation, and every CLI command', () => {
    const doc = readFileSync(DOC_PATH, 'utf8');
    const missingRoutes = routes.filter((r) => r.path.startsWith('api/v1/') && !doc.includes(`| ${r.method} | \`/${r.path}\` | ${r.operation} |`));
    expect(missingRoutes.map((r) => `${r.method} /${r.path}`)).toEqual([]);
    const missingCommands = cliCommandNames(buildProgram()).filter((name) => !doc.includes(`| \`${name}`));
    expect(missingCommands).toEqual([]);
  });

  it('shows the separation of duties in its rows: clinical data by coordinator/investigator, study set-up by admin, exports by monitor/regulator', () => {
    const doc = readFileSync(DOC_PATH, 'utf8');
    const row = (operation: string): string[] => {
      const line = doc.split('\n').find((l) => l.includes(` | ${operation} | `));
      return (line ?? '').split(' | ').slice(3, 8);
    };
    expect(row('RecordDose')).toEqual(['✓', '✓', '—', '—', '—']);
    expect(row('AssessEligibility')).toEqual(['—', '✓', '—', '—', '—']);
    expect(row('RegisterStudy')).toEqual(['—', '—', '—', '—', '✓']);
    expect(row('ExportOdm')).toEqual(['—', '—', '✓', '✓', '—']);
  });

  it('refuses to render a route without a role rule or a CLI command without an entry', () => {
    const unruled: InventoriedRoute = { method: 'POST', path: 'api/v1/studies/:studyId/new-thing', operation: 'NewThing', roles: null, roleSource: 'none', guarded: false, controller: 'X', handler: 'y' };
    expect(() => renderAuthorizationMatrix({ routes: [...routes, unruled], cli: buildProgram() })).toThrow('Routes without a role rule: POST /api/v1/studies/:studyId/new-thing');
    const cli = buildProgram();
    cli.addCommand(new Command('purge'));
    expect(() => renderAuthorizationMatrix({ routes, cli })).toThrow('CLI commands missing from CLI_ACCESS in scripts/authorization-matrix.ts: purge');
    expect(CLI_ACCESS.purge).toBeUndefined();
  });
});
