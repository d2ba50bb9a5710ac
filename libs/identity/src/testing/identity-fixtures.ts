import { v7 as uuidv7 } from 'uuid';
import { subjectStreamId, type Actor } from '@trial-ledger/domain';
import { FixedClock, SqliteEventStore, type EventStore, type NewEvent, type StoredEvent } from '@trial-ledger/event-store';
import { Identity } from '../identity';
import type { SecurityLogger } from '../security-logger';
import type { IdentityPolicy, ScryptParameters } from '../identity-policy';

/** Cheap scrypt for tests (the production default is N = 2^15). */
export const FAST_SCRYPT: ScryptParameters = { cost: 2 ** 10, blockSize: 8, parallelization: 1, keyLength: 32, saltLength: 16 };

export const START = '2026-03-02T09:00:00.000Z';

/** Passwords for fixtures: long enough for the policy, never defaults of the product. */
export const PASSWORDS = {
  admin: 'correct horse battery staple',
  investigator: 'investigator passphrase 1',
  coordinator: 'coordinator passphrase 1',
  monitor: 'monitor passphrase 0001',
} as const;

export class RecordingLogger implements SecurityLogger {
  readonly warnings: string[] = [];
  warn(message: string): void {
    this.warnings.push(message);
  }
}

export interface IdentityFixture {
  readonly store: EventStore;
  readonly clock: FixedClock;
  readonly logger: RecordingLogger;
  readonly service: Identity;
  readonly admin: Actor;
  readonly investigator: Actor;
  readonly coordinator: Actor;
  readonly monitor: Actor;
}

/** An in-memory ledger with a first admin, an investigator, a coordinator and a monitor. */
export const identityFixture = async (policy: Partial<IdentityPolicy> = {}, store: EventStore = new SqliteEventStore(':memory:')): Promise<IdentityFixture> => {
  const clock = new FixedClock(START);
  const logger = new RecordingLogger();
  const service = new Identity(store, clock, { scrypt: FAST_SCRYPT, ...policy }, { logger });
  await service.users.createFirstAdmin({ username: 'ada', fullName: 'Ada Admin', password: PASSWORDS.admin }, 'cli');
  const admin = await service.auth.verifyPassword('ada', PASSWORDS.admin, 'cli');
  const add = async (username: string, fullName: string, role: 'investigator' | 'coordinator' | 'monitor'): Promise<Actor> => {
    await service.users.addUser(admin, { username, fullName, role, password: PASSWORDS[role] });
    return service.auth.verifyPassword(username, PASSWORDS[role], 'cli');
  };
  return {
    store, clock, logger, service, admin,
    investigator: await add('ivan', 'Dr Ivan Investigator', 'investigator'),
    coordinator: await add('cora', 'Cora Coordinator', 'coordinator'),
    monitor: await add('mona', 'Mona Monitor', 'monitor'),
  };
};

const clinicalEvent = (type: string, data: Record<string, unknown>, actor: Actor): NewEvent => ({
  eventId: uuidv7(),
  type,
  schemaVersion: 1,
  data,
  metadata: { actor, reason: null, correlationId: uuidv7(), causationId: null, idempotencyKey: null, source: 'api', protocolVersion: 1 },
});

/** Writes clinical events straight to a subject stream (the subject decider is not this lib's concern). */
export const appendToSubject = async (
  store: EventStore,
  studyId: string,
  subjectId: string,
  events: ReadonlyArray<{ type: string; data: Record<string, unknown> }>,
  actor: Actor,
): Promise<StoredEvent[]> => {
  const streamId = subjectStreamId(studyId, subjectId);
  const result = await store.append({
    writes: [{ streamId, expectedVersion: await store.streamVersion(streamId), events: events.map((e) => clinicalEvent(e.type, e.data, actor)) }],
  });
  return [...result.events];
};

export const screenedSubject = (subjectId: string): Array<{ type: string; data: Record<string, unknown> }> => [
  { type: 'SubjectScreened', data: { studyId: 'LANR-HGNET-01', subjectId, screeningDate: '2026-01-02', consentDate: '2026-01-01', sex: 'F', birthYear: 1960 } },
  { type: 'SubjectEnrolled', data: { subjectNumber: 1, enrollmentDate: '2026-01-05' } },
];
