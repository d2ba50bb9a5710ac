/** Mechanical boundaries (STYLE.md): no cycles; libs never import apps; apps and libs use other libs only through their public index. */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'libs-do-not-import-apps', severity: 'error', from: { path: '^libs/' }, to: { path: '^apps/' } },
    {
      name: 'apps-do-not-import-other-apps',
      comment:
        'An app reaches another app never; shared code lives in a lib. The one exception: the CLI `serve` command starts the API ' +
        'through its entry point apps/api/src/main.ts (the CLI is how the server is run), and nothing else of the API.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: ['^apps/$1/', '^apps/api/src/main\\.ts$'] },
    },
    {
      name: 'only-serve-starts-the-api',
      comment: 'The exception above is for the serve command alone.',
      severity: 'error',
      from: { path: '^apps/cli/', pathNot: '^apps/cli/src/serve/serve\\.command\\.ts$' },
      to: { path: '^apps/api/' },
    },
    {
      name: 'domain-is-pure',
      comment: 'The domain imports no Nest, no I/O module and no other lib.',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { path: ['^node_modules/@nestjs', '^node_modules/(better-sqlite3|pg|@kurrent)', '^libs/(?!domain/)', '^(fs|net|http|child_process)$'] },
    },
    {
      name: 'libs-through-public-index',
      comment: 'Another lib is reached only through its src/index.ts (or its testing/ entry in specs).',
      severity: 'error',
      from: { path: '^(apps|libs|test)/' , pathNot: '\\.spec\\.ts$'},
      to: { path: '^libs/([^/]+)/src/(?!index\\.ts$|testing/)', pathNot: '^$1' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.spec\\.ts$|\\.e2e-spec\\.ts$)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
