/**
 * Event schema versioning. A stored event is never rewritten; when an event's data shape changes,
 * its type's current schema version is bumped here and an upcaster turns the old shape into the new
 * one on read, with a test per change. Types not listed are at version 1.
 */
export interface VersionedEvent {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
}

type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/** `UPCASTERS[type][n]` turns data of schema version n into version n + 1. */
const UPCASTERS: Readonly<Record<string, Readonly<Record<number, Upcaster>>>> = {};

export const currentSchemaVersion = (type: string): number => {
  const steps = UPCASTERS[type];
  return steps ? Math.max(...Object.keys(steps).map(Number)) + 1 : 1;
};

/** The event's data in the current schema version of its type. */
export const upcast = <E extends VersionedEvent>(event: E): E => {
  const steps = UPCASTERS[event.type];
  if (!steps) return event;
  let data = event.data;
  let version = event.schemaVersion;
  while (steps[version]) {
    data = steps[version](data);
    version += 1;
  }
  return { ...event, data, schemaVersion: version };
};
