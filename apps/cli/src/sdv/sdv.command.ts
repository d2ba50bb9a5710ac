import type { Command } from 'commander';
import { globalOptions } from '../shared/cli-context';
import { runMonitoringCommand } from '../query/monitoring-cli';

/** `trial-ledger sdv --subject S --event EVENT_ID`: source data verification of one entry (monitor). */
export const registerSdv = (program: Command): void => {
  program
    .command('sdv')
    .description('Record source data verification of one entry (monitor); a later correction or void revokes it')
    .requiredOption('--subject <id>', 'subject id')
    .requiredOption('--event <eventId>', 'event id of the verified entry')
    .option('--study <id>', 'study id (default: the first registered)')
    .action(async (opts: { subject: string; event: string; study?: string }, command: Command) => {
      await runMonitoringCommand(
        globalOptions(command),
        opts.study,
        (studyId) => ({ type: 'VerifySource', studyId, subjectId: opts.subject, payload: { targetEventId: opts.event } }),
        { subjectId: opts.subject, targetEventId: opts.event },
      );
    });
};
