import type { Command } from 'commander';
import { notFound, personInWords, queryIdOf, QUERY_RESPONSE_CATEGORIES, SUBJECT_ID, type MonitoringCommand, type QueryResponseCategory } from '@trial-ledger/domain';
import { listQueries, MAX_QUERY_PAGE_SIZE, QUERY_PAGE_SIZE, queryPage, queryView, QUERY_STATUSES, type QueryStatus, type QueryView } from '@trial-ledger/projections';
import { globalOptions } from '../shared/cli-context';
import { CliError } from '../shared/cli-errors';
import { reportDamageRead } from '../shared/ledger-damage';
import { printResult, terminalSafe, textTable } from '../shared/output';
import { cliQueryId, readMonitoring, runMonitoringCommand } from './monitoring-cli';

const oneOf = <T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined => {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new CliError(`--${name} must be one of ${allowed.join(', ')} (got ${value})`, 2, 'CLI.INVALID_OPTION');
  return value as T;
};

const wholeNumber = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d{1,5}$/.test(value)) throw new CliError(`--${name} must be a whole number of days (got ${value})`, 2, 'CLI.INVALID_OPTION');
  return Number(value);
};

/** A page number or size as the API reads it: decimal digits only, from 1 (and at most `max`). */
const pageNumber = (name: string, value: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number => {
  if (value === undefined) return fallback;
  const n = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) throw new CliError(`--${name} must be a whole number from 1${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`} (got ${value})`, 2, 'CLI.INVALID_OPTION');
  return n;
};

/** A filter value that could never match (a malformed subject id or username) is a usage error, as on the API — not "No queries". */
const matching = (name: string, value: string | undefined, pattern: RegExp, rule: string): string | undefined => {
  if (value === undefined) return undefined;
  if (!pattern.test(value)) throw new CliError(`--${name} must be ${rule} (got ${JSON.stringify(value)})`, 2, 'CLI.INVALID_OPTION');
  return value;
};
const OPENED_BY = /^[A-Za-z0-9._-]{1,64}$/;

/** `query list` as a table: one row per query, each column under its heading. */
export const formatQueryList = (queries: readonly QueryView[]): string =>
  textTable(
    ['Query', 'Status', 'Subject', 'Age (days)', 'Entry', 'Opened by'],
    queries.map((q) => [q.queryId, q.status, q.subjectId, q.ageDays, `${q.target.eventType}${q.target.fieldPath ? `.${q.target.fieldPath}` : ''}`, q.openedBy.username]),
  ).join('\n');

/** `query show` as a monitor reads it: the query, who opened it, then each step of its thread with who took it. */
export const formatQueryThread = (q: QueryView): string =>
  [
    `Query ${q.queryId} — ${q.status} — subject ${q.subjectId}, ${q.target.eventType} ${q.target.eventId}${q.target.fieldPath ? ` field ${q.target.fieldPath}` : ''}`,
    `Opened ${q.openedAt} by ${personInWords(q.openedBy)}, ${q.origin} query; age ${q.ageDays} days`,
    ...q.thread.map((t) => {
      const what = t.kind === 'target-corrected' || t.kind === 'target-voided' ? `${t.kind}${t.whileOpen ? ' (linked)' : ''}: ${t.reason ?? ''}` : `${t.kind}${t.category ? ` [${t.category}]` : ''}${t.text ? `: ${t.text}` : ''}`;
      return `  ${t.recordedAt} ${personInWords(t.by)} — ${what}`;
    }),
  ]
    // Each line escaped on its own: a line feed inside a query text or a reason cannot start a forged step.
    .map((line) => terminalSafe(line))
    .join('\n');

/** `trial-ledger query open|respond|close|reopen|cancel|list|show` (monitor queries, discrepancy notes). */
export const registerQuery = (program: Command): void => {
  const query = program.command('query').description('Monitor queries on recorded entries: open, respond, close, reopen, cancel, list, show');

  query
    .command('open')
    .description('Open a query on one entry, optionally one field of it (monitor)')
    .requiredOption('--subject <id>', 'subject id')
    .requiredOption('--event <eventId>', 'event id of the questioned entry')
    .option('--field <path>', 'dotted path of the questioned field, e.g. administeredOn')
    .requiredOption('--text <text>', 'the question to the site')
    .option('--study <id>', 'study id (default: the first registered)')
    .action(async (opts: { subject: string; event: string; field?: string; text: string; study?: string }, command: Command) => {
      const queryId = cliQueryId();
      await runMonitoringCommand(
        globalOptions(command),
        opts.study,
        (studyId) => ({ type: 'OpenQuery', studyId, subjectId: opts.subject, payload: { queryId, targetEventId: opts.event, fieldPath: opts.field ?? null, text: opts.text } }),
        { queryId },
      );
    });

  query
    .command('respond <queryId>')
    .description("The site's answer to a query (coordinator, investigator)")
    .requiredOption('--text <text>', 'the answer')
    .requiredOption('--category <category>', `one of ${QUERY_RESPONSE_CATEGORIES.join(', ')}`)
    .option('--study <id>', 'study id (default: the first registered)')
    .action(async (queryId: string, opts: { text: string; category: string; study?: string }, command: Command) => {
      const category = oneOf('category', opts.category, QUERY_RESPONSE_CATEGORIES) as QueryResponseCategory;
      await runMonitoringCommand(globalOptions(command), opts.study, (studyId) => ({ type: 'RespondToQuery', studyId, subjectId: '', payload: { queryId, text: opts.text, category } }), { queryId });
    });

  for (const [name, type, help] of [
    ['close', 'CloseQuery', 'Close a query (monitor)'],
    ['reopen', 'ReopenQuery', 'Reopen a closed query on the value as it stands now (monitor)'],
    ['cancel', 'CancelQuery', 'Cancel a query opened in error; it stays on record (monitor)'],
  ] as const) {
    query
      .command(`${name} <queryId>`)
      .description(help)
      .option('--text <text>', 'a note for the thread')
      .option('--study <id>', 'study id (default: the first registered)')
      .action(async (queryId: string, opts: { text?: string; study?: string }, command: Command) => {
        const monitoring = (studyId: string) => ({ type, studyId, subjectId: '', payload: { queryId, text: opts.text ?? null } }) as MonitoringCommand;
        await runMonitoringCommand(globalOptions(command), opts.study, monitoring, { queryId });
      });
  }

  query
    .command('list')
    .description('The study\'s queries with status and age (coordinator, investigator, monitor, regulator)')
    .option('--status <status>', QUERY_STATUSES.join(', '))
    .option('--subject <id>', 'only this subject\'s queries')
    .option('--opened-by <username>', 'only queries opened by this user (system: automatic queries)')
    .option('--min-age-days <days>', 'only queries at least this many days old')
    .option('--page <n>', 'page number, from 1 (default: 1; as the API pages: oldest first)')
    .option('--page-size <n>', `queries per page, 1–${MAX_QUERY_PAGE_SIZE} (default: ${QUERY_PAGE_SIZE})`)
    .option('--study <id>', 'study id (default: the first registered)')
    .action(async (opts: { status?: string; subject?: string; openedBy?: string; minAgeDays?: string; page?: string; pageSize?: string; study?: string }, command: Command) => {
      const options = globalOptions(command);
      const page = pageNumber('page', opts.page, 1);
      const pageSize = pageNumber('page-size', opts.pageSize, QUERY_PAGE_SIZE, MAX_QUERY_PAGE_SIZE);
      const filter = {
        status: oneOf('status', opts.status, QUERY_STATUSES) as QueryStatus | undefined,
        subjectId: matching('subject', opts.subject, SUBJECT_ID, 'a subject id (1–64 letters, digits, "." or "_", starting with a letter or digit)'),
        openedBy: matching('opened-by', opts.openedBy, OPENED_BY, 'a username'),
        minAgeDays: wholeNumber('min-age-days', opts.minAgeDays),
      };
      const { value: listed, fault } = await readMonitoring(options, opts.study, 'ListQueries', (state) => queryPage(listQueries(state, new Date().toISOString(), filter), page, pageSize));
      printResult(options.json, listed, () =>
        [
          ...(listed.queries.length === 0 ? [page === 1 ? 'No queries.' : `No queries on page ${page}.`] : [formatQueryList(listed.queries)]),
          ...(listed.hasMore ? [`More queries: --page ${page + 1}`] : []),
        ].join('\n'),
      );
      reportDamageRead(fault);
    });

  query
    .command('show <queryId>')
    .description("One query's thread: its events and the corrections and voids of its target")
    .option('--study <id>', 'study id (default: the first registered)')
    .action(async (queryId: string, opts: { study?: string }, command: Command) => {
      const options = globalOptions(command);
      // A malformed id is refused as `respond`/`close` refuse it, not looked up as an unknown query.
      queryIdOf({ queryId });
      const { value: view, fault } = await readMonitoring(options, opts.study, 'GetQuery', (state, _actor, _store, studyId) => {
        const record = state.queries.get(queryId);
        return record ? queryView(state, record, new Date().toISOString()) : notFound('QUERY.NOT_FOUND', `No query ${queryId} in study ${studyId}`, { queryId });
      });
      printResult(options.json, view, () => formatQueryThread(view));
      reportDamageRead(fault);
    });
};
