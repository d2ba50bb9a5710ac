/**
 * Event schema versioning. A stored event is never rewritten (its bytes are hashed into the chain);
 * when an event's data shape changes, its type's schema version is bumped here and an upcaster turns
 * the old shape into the new one on read, with a test per change (`upcasters.spec.ts`, and the read
 * through a real store in `test/domain/upcasting.e2e-spec.ts`). Types not listed are at version 1.
 *
 * The pattern for every future change: (1) change the event type, (2) add `[n, fromVersionN]` under
 * the type below, so new events are written at n + 1 (`currentSchemaVersion`) and old ones are read
 * as n + 1 (`upcast`, applied by the pipeline's `toRecorded` before any `evolve` or projection),
 * (3) test both directions.
 */
export interface VersionedEvent {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
}

type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/**
 * `AccountLockedOut` v1 → v2: `failures` is renamed `consecutiveFailures`, the word `LoginFailed`
 * and `SignatureFailed` use for the same count (one word per meaning).
 */
const accountLockedOutV1 = ({ failures, ...rest }: Record<string, unknown>): Record<string, unknown> => ({ ...rest, consecutiveFailures: failures });

/**
 * Eligibility criterion ids renamed since they were recorded, old → current. `primary-site-not-hindgut`
 * named the seed protocol's sites, false under any other registered protocol (a rectal primary under a
 * protocol for pancreatic and ileal primaries); it is the criterion now named `primary-site-not-allowed`.
 */
const RENAMED_CRITERIA: ReadonlyMap<string, string> = new Map([['primary-site-not-hindgut', 'primary-site-not-allowed']]);

const currentCriteria = (value: unknown): unknown => (Array.isArray(value) ? value.map((id) => (typeof id === 'string' ? (RENAMED_CRITERIA.get(id) ?? id) : id)) : value);

const withCurrentCriteria = (data: unknown): unknown =>
  data !== null && typeof data === 'object' && !Array.isArray(data) && 'failedCriteria' in data
    ? { ...(data as Record<string, unknown>), failedCriteria: currentCriteria((data as Record<string, unknown>).failedCriteria) }
    : data;

/** `SubjectScreenFailed` v1 → v2: its failed criteria by their current ids (same criteria, same order). */
const subjectScreenFailedV1 = (data: Record<string, unknown>): Record<string, unknown> => withCurrentCriteria(data) as Record<string, unknown>;

/** `EntryCorrected` v1 → v2: an eligibility correction's `before`/`after` failed criteria by their current ids. */
const entryCorrectedV1 = (data: Record<string, unknown>): Record<string, unknown> => ({
  ...data,
  ...('before' in data ? { before: withCurrentCriteria(data.before) } : {}),
  ...('after' in data ? { after: withCurrentCriteria(data.after) } : {}),
});

/** Per type, `n → upcaster` from schema version n to n + 1. A `Map`: event types are read from storage. */
const UPCASTERS: ReadonlyMap<string, ReadonlyMap<number, Upcaster>> = new Map([
  ['AccountLockedOut', new Map([[1, accountLockedOutV1]])],
  ['SubjectScreenFailed', new Map([[1, subjectScreenFailedV1]])],
  ['EntryCorrected', new Map([[1, entryCorrectedV1]])],
]);

export const currentSchemaVersion = (type: string): number => {
  const steps = UPCASTERS.get(type);
  return steps ? Math.max(...steps.keys()) + 1 : 1;
};

/** The event's data in the current schema version of its type. */
export const upcast = <E extends VersionedEvent>(event: E): E => {
  const steps = UPCASTERS.get(event.type);
  if (!steps) return event;
  let data = event.data;
  let version = event.schemaVersion;
  for (let step = steps.get(version); step; step = steps.get(version)) {
    data = step(data);
    version += 1;
  }
  return { ...event, data, schemaVersion: version };
};
