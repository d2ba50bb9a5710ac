import { newQueryId, type CommandOutcome } from '@trial-ledger/command-pipeline';
import { MONITORING_READ_ROLES, notFound, studyStreamId, type Actor, type MonitoringCommand } from '@trial-ledger/domain';
import type { LedgerFault } from '@trial-ledger/audit';
import type { EventStore } from '@trial-ledger/event-store';
import { replayMonitoring, type MonitoringState } from '@trial-ledger/projections';
import { actingUser, executeAsActingUser, openIdentity } from '../shared/acting-user';
import { withExistingStore, type GlobalOptions } from '../shared/cli-context';
import { printResult } from '../shared/output';
import { studyOrDefault } from '../shared/default-study';
import { ledgerCheckAlongside, refuseAttestationOnDamage } from '../shared/ledger-damage';

/**
 * Runs one monitoring command as the acting user and prints what was recorded (the query id with `open`).
 * The command is built for the study `--study` names, else the ledger's first (`studyOrDefault`), read
 * from the store the command runs on. SDV attests that an entry matches its source, and a query step questions
 * or settles an entry as the store holds it: the ledger is checked as `verify` does without options (the chain,
 * and the signed checkpoints where a key checks them) alongside the command's preparation, and on a damaged
 * ledger nothing is written — not even the sign-in — `LEDGER.TAMPERED`, exit 3, the first damaged position.
 */
export const runMonitoringCommand = async (
  options: GlobalOptions,
  study: string | undefined,
  commandFor: (studyId: string) => MonitoringCommand,
  extra: Record<string, unknown> = {},
): Promise<CommandOutcome> => {
  const { command, outcome } = await withExistingStore(options, async (store) => {
    const damage = ledgerCheckAlongside(store, options);
    const command = commandFor(await studyOrDefault(store, study));
    const identity = await openIdentity(store);
    refuseAttestationOnDamage(await damage, command.type === 'VerifySource' ? 'source data verification' : 'a step of a monitor query');
    const actor = await actingUser(options, identity);
    const outcome = await executeAsActingUser(store, identity, command, { actor, source: 'cli' });
    return { command, outcome };
  });
  const events = outcome.events.map((e) => ({ type: e.type, eventId: e.eventId, position: e.globalPosition }));
  printResult(options.json, { command: command.type, studyId: command.studyId, ...extra, streamVersion: outcome.primaryVersion, events }, () => {
    const what = Object.entries(extra).map(([k, v]) => `${k} ${String(v)}`).join(', ');
    const lines = events.map((e) => `  ${e.type} at position ${e.position} (event ${e.eventId})`);
    return `${command.type}${what ? ` (${what})` : ''}: ${events.length === 0 ? 'nothing to record' : `recorded\n${lines.join('\n')}`}`;
  });
  return outcome;
};

/** A new query id for `query open` (the CLI has no idempotency key to derive one from). */
export const cliQueryId = (): string => newQueryId();

/**
 * Reads the monitoring read model as the acting user: queries and SDV are clinical data, so only the
 * roles that read them (not the admin) get them; a refusal is recorded like any other. The study is the
 * one `study` names, else the ledger's first (`studyOrDefault`); a study the ledger does not hold is
 * `STUDY.NOT_REGISTERED`. A read-only view like `replay`: the hash chain (and signed checkpoints) is checked
 * alongside, and `fault` is what the caller passes to `reportDamageRead` once it has printed the answer.
 */
export const readMonitoring = async <T>(
  options: GlobalOptions,
  study: string | undefined,
  action: string,
  read: (state: MonitoringState, actor: Actor, store: EventStore, studyId: string) => T,
): Promise<{ value: T; fault: LedgerFault | null }> =>
  withExistingStore(options, async (store) => {
    const damage = ledgerCheckAlongside(store, options);
    const studyId = await studyOrDefault(store, study);
    const identity = await openIdentity(store);
    const actor = await actingUser(options, identity);
    await identity.authorization.authorize(actor, MONITORING_READ_ROLES, action, 'cli');
    // A mistyped --study is not a study without queries: refused as the API refuses it.
    if ((await store.streamVersion(studyStreamId(studyId))) === 0) notFound('STUDY.NOT_REGISTERED', `Study ${studyId} is not registered`, { studyId });
    const value = read(await replayMonitoring(store, studyId), actor, store, studyId);
    return { value, fault: await damage };
  });
