import type { Command } from 'commander';

/**
 * The `export` command group (odm, audit-trail, adtte…): each module adds its subcommand to the one
 * group, whichever registers first creating it, so slices stay independent.
 */
export const exportGroup = (program: Command): Command =>
  program.commands.find((c) => c.name() === 'export') ??
  program.command('export').description('Export the ledger: CDISC ODM 1.3.2, the audit trail (CSV/JSON), ADaM ADTTE');
