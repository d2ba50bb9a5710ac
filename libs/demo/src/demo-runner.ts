import { executeCommand } from '@trial-ledger/command-pipeline';
import { loadDefaultProtocol, upcast, type Actor, type IsoDate, type ProtocolDocument, type Role } from '@trial-ledger/domain';
import { verifyChain, type EventStore } from '@trial-ledger/event-store';
import type { Identity } from '@trial-ledger/identity';
import { analysePfs, curveEndsAtZero } from '@trial-ledger/pfs';
import { replayStudyOverview } from '@trial-ledger/projections';
import { generateDemoScenario, type DemoScenario, type DemoStep } from './demo-scenario.generator';
import { signDemoCasebooks, type DemoSignatures } from './demo-signatures';
import { createDemoTeam, demoPasswords, issueOneTimePasswords, type DemoCredential, type DemoUser } from './demo-users';

export interface DemoRunOptions {
  readonly seed: string | number;
  readonly today: IsoDate;
  readonly protocol?: ProtocolDocument;
  /** Passwords of the demo team (default: `TRIAL_LEDGER_DEMO_PASSWORD`, else random per user). */
  readonly passwordOf?: (user: DemoUser) => string;
  readonly onProgress?: (done: number, total: number) => void;
}

/** A command the ledger refused, as the script expected. */
export interface DemoRefusal {
  readonly subjectId: string | null;
  readonly command: string;
  readonly code: string;
  readonly message: string;
}

/**
 * What the demo shows. Deterministic for a seed and a date: only counts, codes and clinical figures,
 * never ids, hashes or recording instants (those are the server's and differ on every run).
 */
export interface DemoSummary {
  readonly seed: string;
  readonly today: IsoDate;
  readonly studyId: string;
  readonly protocolVersion: number | null;
  readonly commands: { readonly issued: number; readonly recorded: number; readonly refused: readonly DemoRefusal[] };
  readonly enrollment: {
    readonly screened: number;
    readonly screenFailures: ReadonlyArray<{ subjectId: string; failedCriteria: readonly string[] }>;
    readonly enrolled: number;
    readonly target: number | null;
    readonly statusCounts: Readonly<Record<string, number>>;
  };
  readonly dosing: { readonly administered: number; readonly outsideWindow: number; readonly missed: number; readonly compliancePercent: number | null };
  readonly deviations: {
    readonly total: number;
    readonly detected: number;
    readonly recorded: number;
    readonly byCategory: Readonly<Record<string, number>>;
  };
  readonly adverseEvents: { readonly total: number; readonly serious: number; readonly grade3OrHigher: number };
  readonly events: { readonly total: number; readonly byType: Readonly<Record<string, number>> };
  /** Electronic signatures (Part 11): casebooks approved, records reviewed, and those superseded by a later correction. */
  readonly signatures: DemoSignatures;
  readonly chain: { readonly ok: boolean; readonly eventsChecked: number; readonly fault: string | null };
  /** The primary endpoint (SPEC §3): Kaplan–Meier median and landmark rates, with the rows by reason. */
  readonly pfs: {
    readonly n: number;
    readonly events: number;
    readonly censored: number;
    readonly byReason: Readonly<Record<string, number>>;
    readonly median: { readonly estimate: number | null; readonly lower: number | null; readonly upper: number | null };
    /** The curve falls to 0: a median CI limit not reported is NE there, not NR. */
    readonly curveEndsAtZero: boolean;
    readonly rates: ReadonlyArray<{ day: number; survival: number | null; lower: number | null; upper: number | null }>;
  };
}

export interface DemoRun {
  readonly scenario: DemoScenario;
  readonly summary: DemoSummary;
  /** The team's credentials, for the user to sign in afterwards; never part of the summary. */
  readonly credentials: readonly DemoCredential[];
  /** The head of the hash chain after the run (differs on every run: ids and instants are the server's). */
  readonly head: { readonly position: number; readonly hash: string };
}

/** A scripted command that did not go as the script says: the demo is broken, not the ledger. */
export class DemoStepError extends Error {
  readonly code = 'DEMO.STEP_FAILED';
  constructor(
    readonly step: DemoStep,
    readonly causeCode: string,
    message: string,
  ) {
    super(`Demo step ${step.idempotencyKey} (${step.command.type}) failed: ${message} [${causeCode}]`);
    this.name = 'DemoStepError';
  }
}

const subjectOf = (step: DemoStep): string | null => ('subjectId' in step.command ? step.command.subjectId : null);
const codeOf = (error: unknown): string => (error && typeof error === 'object' && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'INTERNAL.ERROR');

/**
 * Runs the demo study through the one command pipeline, as the people who would enter it: the first
 * administrator and the team are created through the identity service, then every scripted command
 * is executed in order with its idempotency key (source `cli`).
 */
export const runDemo = async (store: EventStore, identity: Identity, options: DemoRunOptions): Promise<DemoRun> => {
  const protocol = options.protocol ?? loadDefaultProtocol();
  const scenario = generateDemoScenario({ seed: options.seed, today: options.today, protocol });
  const team = await createDemoTeam(identity, options.passwordOf ?? demoPasswords());
  const { actors, credentials } = team;
  const actorFor = (role: Role): Actor => {
    const actor = actors.get(role);
    if (!actor) throw new Error(`No demo user with role ${role}`);
    return actor;
  };

  const refused: DemoRefusal[] = [];
  let recorded = 0;
  for (const [index, step] of scenario.steps.entries()) {
    const reason = 'reason' in step.command.payload && typeof step.command.payload.reason === 'string' ? step.command.payload.reason : null;
    try {
      await executeCommand(store, step.command, { actor: actorFor(step.as), source: 'cli', idempotencyKey: step.idempotencyKey, reason });
      if (step.expectedRefusal) throw new DemoStepError(step, 'DEMO.NOT_REFUSED', `expected the refusal ${step.expectedRefusal} but the command was recorded`);
      recorded += 1;
    } catch (error) {
      if (error instanceof DemoStepError) throw error;
      const code = codeOf(error);
      if (step.expectedRefusal !== code) throw new DemoStepError(step, code, (error as Error).message);
      refused.push({ subjectId: subjectOf(step), command: step.command.type, code, message: (error as Error).message });
    }
    options.onProgress?.(index + 1, scenario.steps.length);
  }

  const signatures = await signDemoCasebooks(store, identity, scenario, team.working, actorFor);
  await issueOneTimePasswords(identity, team);
  const summary = await summariseDemo(store, scenario, { issued: scenario.steps.length, recorded, refused }, signatures);
  const head = await store.head();
  return { scenario, summary, credentials, head: { position: head.position, hash: head.hash } };
};

/** Reads the ledger back: the study overview projection, a count of every event type, and the hash chain. */
export const summariseDemo = async (
  store: EventStore,
  scenario: DemoScenario,
  commands: DemoSummary['commands'],
  signatures: DemoSignatures,
): Promise<DemoSummary> => {
  const byType: Record<string, number> = {};
  const screenFailures: Array<{ subjectId: string; failedCriteria: string[] }> = [];
  let total = 0;
  for await (const event of store.readAll()) {
    total += 1;
    byType[event.type] = (byType[event.type] ?? 0) + 1;
    if (event.type === 'SubjectScreenFailed') {
      const subjectId = event.streamId.slice(`subject-${scenario.studyId}-`.length);
      screenFailures.push({ subjectId, failedCriteria: [...((upcast(event).data.failedCriteria as string[] | undefined) ?? [])] });
    }
  }
  const chain = await verifyChain(store.readAll());
  const { overview } = await replayStudyOverview(store, scenario.studyId);
  const pfs = await analysePfs(store, scenario.studyId);
  const byReason: Record<string, number> = {};
  for (const row of pfs.subjects) byReason[row.reason] = (byReason[row.reason] ?? 0) + 1;
  const sortedTypes = Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b)));
  return {
    seed: scenario.seed,
    today: scenario.today,
    studyId: scenario.studyId,
    protocolVersion: overview.protocolVersion,
    commands,
    enrollment: {
      screened: overview.screened,
      screenFailures,
      enrolled: overview.enrollment.enrolled,
      target: overview.enrollment.target,
      statusCounts: Object.fromEntries(Object.entries(overview.statusCounts).filter(([, n]) => n > 0)),
    },
    dosing: {
      administered: overview.dosing.administered,
      outsideWindow: overview.dosing.outsideWindow,
      missed: overview.dosing.missed,
      compliancePercent: overview.dosing.compliancePercent,
    },
    deviations: {
      total: overview.deviations.total,
      detected: overview.deviations.detected,
      recorded: overview.deviations.recorded,
      byCategory: Object.fromEntries(overview.deviations.byCategory.map((d) => [d.category, d.total])),
    },
    adverseEvents: { ...overview.adverseEvents },
    events: { total, byType: sortedTypes },
    signatures,
    chain: { ok: chain.ok, eventsChecked: chain.eventsChecked, fault: chain.fault ? `${chain.fault.damage} at position ${chain.fault.position}` : null },
    pfs: {
      ...pfs.summary,
      byReason: Object.fromEntries(Object.entries(byReason).sort(([a], [b]) => a.localeCompare(b))),
      median: { ...pfs.median },
      curveEndsAtZero: curveEndsAtZero(pfs.km),
      rates: pfs.rates.map((r) => ({ ...r })),
    },
  };
};
