import type { Command } from 'commander';
import { registerAuditTrail } from './audit-trail/audit-trail.command';
import { registerAuditTrailReview } from './audit-trail/audit-trail-review.command';
import { registerCheckpoint } from './checkpoint/checkpoint.command';
import { registerDemo } from './demo/demo.command';
import { registerExport } from './export/export.command';
import { registerExportAdtte } from './export-adtte/export-adtte.command';
import { registerImport } from './import/import.command';
import { registerMigrate } from './migrate/migrate.command';
import { registerPfs } from './pfs/pfs.command';
import { registerQuery } from './query/query.command';
import { registerPfsDiff } from './pfs/pfs-diff.command';
import { registerProof } from './proof/proof.command';
import { registerReplay } from './replay/replay.command';
import { registerReport } from './report/report.command';
import { registerSdv } from './sdv/sdv.command';
import { registerServe } from './serve/serve.command';
import { registerStudy } from './study/study.command';
import { registerUsers } from './users/users.command';
import { registerVerify } from './verify/verify.command';

/**
 * Every CLI command module registers itself here: `(program) => void`. One line per module, so
 * that slices can be added without touching each other.
 */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [
  registerServe,
  registerStudy,
  registerUsers,
  registerImport,
  registerDemo,
  registerMigrate,
  registerVerify,
  registerCheckpoint,
  registerAuditTrail,
  registerAuditTrailReview,
  registerExport,
  registerReport,
  registerReplay,
  registerPfs,
  registerPfsDiff,
  registerExportAdtte,
  registerProof,
  registerQuery,
  registerSdv,
];
