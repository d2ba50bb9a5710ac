import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Command } from 'commander';
import { firstDuplicateKey } from '@trial-ledger/command-pipeline';
import { firstUnprintable, invalid, isBlankText, loadDefaultProtocol, MAX_TEXT, notFound, type ProtocolDocument, type StudyCommand, UNPRINTABLE_TEXT_CODE } from '@trial-ledger/domain';
import { replayStudyOverview, type StudyOverview } from '@trial-ledger/projections';
import { actingUser, executeAsActingUser, openIdentity } from '../shared/acting-user';
import { globalOptions, withExistingStore, type GlobalOptions } from '../shared/cli-context';
import { studyOrDefault } from '../shared/default-study';
import type { EventStore } from '@trial-ledger/event-store';
import { CliError } from '../shared/cli-errors';
import { ledgerCheckAlongside, reportDamageRead } from '../shared/ledger-damage';

/** A protocol document is a page of JSON; anything far larger is not one. */
const MAX_PROTOCOL_BYTES = 1024 * 1024;

/**
 * The bytes of a protocol file: a regular file of at most `MAX_PROTOCOL_BYTES`. A device (`/dev/zero`), a
 * FIFO or a directory is refused at once (`PROTOCOL.FILE_UNREADABLE`; /dev/zero was read until memory ran
 * out), and a larger file before a byte of it is read (`PROTOCOL.FILE_TOO_LARGE`).
 */
const readProtocolBytes = async (file: string): Promise<Buffer> => {
  const unreadable = (why: string): CliError => new CliError(`Cannot read ${file}: ${why}`, 2, 'PROTOCOL.FILE_UNREADABLE');
  let handle;
  try {
    // Never waits for a FIFO's writer.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw unreadable((error as Error).message);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw unreadable(`not a regular file (${stats.isDirectory() ? 'a directory' : 'a device or pipe'})`);
    if (stats.size > MAX_PROTOCOL_BYTES) throw new CliError(`${file} is larger than ${MAX_PROTOCOL_BYTES} bytes: not a protocol document`, 2, 'PROTOCOL.FILE_TOO_LARGE');
    return await handle.readFile();
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw unreadable((error as Error).message);
  } finally {
    await handle.close();
  }
};

/** A protocol document from a JSON file; its content is validated by the domain when the command is decided. */
export const readProtocolFile = async (file: string): Promise<ProtocolDocument> => {
  const bytes = await readProtocolBytes(file);
  let text: string;
  try {
    // Decoded strictly: a Latin-1 byte would otherwise become U+FFFD in a registered study id or title.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return invalid('PROTOCOL.INVALID_UTF8', `${file} is not valid UTF-8 text; save it as UTF-8`);
  }
  let document: ProtocolDocument;
  try {
    document = JSON.parse(text) as ProtocolDocument;
  } catch (error) {
    return invalid('PROTOCOL.INVALID_JSON', `${file} is not valid JSON: ${(error as Error).message}`);
  }
  // JSON.parse keeps the last of two equal names without a word: the protocol registered would not be
  // the one a reviewer reads at the first (`"targetEnrollment": 28, …, "targetEnrollment": 280`).
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== null) invalid('PROTOCOL.DUPLICATE_KEY', `${file} names ${duplicate} twice: give each member once`, { pointer: duplicate });
  return document;
};

/**
 * The reason typed with `--reason`, checked by the domain's free-text rule here, so that every reason the
 * rule refuses is the same usage error (exit 2): one that shows nothing (empty, spaces, zero-width
 * characters) and one holding a control or bidirectional-override character alike.
 */
const requireReason = (reason: unknown): string => {
  if (typeof reason !== 'string' || isBlankText(reason)) throw new CliError('A reason is required: --reason "…"', 2, 'VALIDATION.REASON_REQUIRED');
  const character = firstUnprintable(reason);
  if (character !== null) {
    throw new CliError(`--reason contains the control or bidirectional-override character ${character}; only printable text, tabs and line breaks are recorded`, 2, UNPRINTABLE_TEXT_CODE);
  }
  if (reason.trim().length > MAX_TEXT) throw new CliError(`--reason is longer than ${MAX_TEXT} characters`, 2, 'VALIDATION.TOO_LONG');
  return reason.trim();
};

/**
 * Runs one study command as the acting administrator (source `cli`) and prints what was recorded; a
 * command that names its study by default is built from the store it runs on.
 */
const runStudyCommand = async (options: GlobalOptions, commandOf: StudyCommand | ((store: EventStore) => Promise<StudyCommand>), reason: string | null): Promise<void> => {
  const { command, outcome } = await withExistingStore(options, async (store) => {
    const command = typeof commandOf === 'function' ? await commandOf(store) : commandOf;
    const identity = await openIdentity(store);
    const actor = await actingUser(options, identity);
    return { command, outcome: await executeAsActingUser(store, identity, command, { actor, source: 'cli', reason }) };
  });
  const events = outcome.events.map((e) => ({ type: e.type, eventId: e.eventId, position: e.globalPosition }));
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ command: command.type, studyId: command.studyId, streamVersion: outcome.primaryVersion, events }, null, 2)}\n`);
    return;
  }
  const lines = events.map((e) => `  ${e.type} at position ${e.position} (event ${e.eventId})`);
  process.stdout.write(`${command.type} ${command.studyId}: ${events.length === 0 ? 'nothing to record' : `recorded\n${lines.join('\n')}`}\n`);
};

const describeOverview = (o: StudyOverview): string => {
  const e = o.enrollment;
  const statuses = Object.entries(o.statusCounts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  const byCategory = o.deviations.byCategory.map((d) => `${d.category} ${d.total}`).join(', ');
  return [
    `${o.studyId} — ${o.title ?? '(untitled)'}`,
    `  protocol version ${o.protocolVersion ?? '—'}; ${o.locked ? 'LOCKED: clinical commands are refused' : 'open for data entry'}`,
    `  enrollment ${e.enrolled}/${e.target ?? '—'}${e.percentOfTarget === null ? '' : ` (${e.percentOfTarget} %)`}; screened ${o.screened}`,
    `  subjects: ${statuses || 'none'}`,
    `  dosing: ${o.dosing.administered} administered, ${o.dosing.outsideWindow} outside the window, ${o.dosing.missed} missed; compliance ${o.dosing.compliancePercent ?? '—'} %`,
    `  deviations: ${o.deviations.total} (major ${o.deviations.bySeverity.major}, minor ${o.deviations.bySeverity.minor})${byCategory ? ` — ${byCategory}` : ''}`,
    `  adverse events: ${o.adverseEvents.total} (serious ${o.adverseEvents.serious}, grade ≥ 3 ${o.adverseEvents.grade3OrHigher})`,
    `  open queries: ${o.openQueries} (not yet closed or cancelled)`,
  ].join('\n');
};

/** `trial-ledger study register|amend|lock|unlock|show` (SPEC §2, §6). */
export const registerStudy = (program: Command): void => {
  const study = program.command('study').description('Register the study, amend its protocol, lock or unlock it, show it');

  study
    .command('register')
    .description('Register the study from its protocol document (admin; default: the LANR-HGNET-01 seed protocol)')
    .option('--protocol <file>', 'protocol document (JSON)')
    .action(async (opts: { protocol?: string }, command: Command) => {
      const protocol = opts.protocol ? await readProtocolFile(opts.protocol) : loadDefaultProtocol();
      await runStudyCommand(globalOptions(command), { type: 'RegisterStudy', studyId: protocol.studyId, payload: { protocol } }, null);
    });

  study
    .command('amend')
    .description('Amend the protocol (admin; a new protocol version, with the reason)')
    .requiredOption('--protocol <file>', 'the amended protocol document (JSON)')
    .requiredOption('--reason <text>', 'why the protocol changes')
    .action(async (opts: { protocol: string; reason: string }, command: Command) => {
      const protocol = await readProtocolFile(opts.protocol);
      const reason = requireReason(opts.reason);
      await runStudyCommand(globalOptions(command), { type: 'AmendProtocol', studyId: protocol.studyId, payload: { protocol, reason } }, reason);
    });

  for (const [name, type, help] of [
    ['lock', 'LockStudy', 'Lock the study database: every clinical command is refused until unlocked (admin)'],
    ['unlock', 'UnlockStudy', 'Unlock the study database (admin)'],
  ] as const) {
    study
      .command(name)
      .description(help)
      .requiredOption('--reason <text>', `why the study is ${name}ed`)
      .option('--study <id>', 'study id (default: the first registered)')
      .action(async (opts: { reason: string; study?: string }, command: Command) => {
        const reason = requireReason(opts.reason);
        const options = globalOptions(command);
        await runStudyCommand(options, async (store) => ({ type, studyId: await studyOrDefault(store, opts.study), payload: { reason } }), reason);
      });
  }

  study
    .command('show')
    .description('The study as the ledger knows it now: protocol, lock state, enrollment, dosing, deviations, adverse events')
    .option('--study <id>', 'study id (default: the first registered)')
    .action(async (opts: { study?: string }, command: Command) => {
      const options = globalOptions(command);
      // A read-only view like replay: the hash chain (and signed checkpoints) checked alongside, damage named after the answer.
      const { studyId, overview, asOf, fault } = await withExistingStore(options, async (store) => {
        const studyId = await studyOrDefault(store, opts.study);
        const damage = ledgerCheckAlongside(store, options);
        const replayed = await replayStudyOverview(store, studyId);
        return { studyId, ...replayed, fault: await damage };
      });
      if (overview.protocol === null) notFound('STUDY.NOT_FOUND', `Study ${studyId} is not registered in ${options.store}`, { studyId });
      process.stdout.write(options.json ? `${JSON.stringify(overview, null, 2)}\n` : `${describeOverview(overview)}\n`);
      reportDamageRead(fault, asOf.position);
    });
};
