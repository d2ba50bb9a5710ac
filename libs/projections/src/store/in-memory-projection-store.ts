import type { ProjectionStore, SaveOptions, StoredProjection } from './projection-store.port';

/** A projection store in memory, for tests and one-shot CLI runs; documents are copied in and out as JSON, whole (no layout). */
export class InMemoryProjectionStore implements ProjectionStore {
  private readonly projections = new Map<string, { checkpoint: number; version: number; anchor: string | null; documents: Map<string, string> }>();

  async load<Doc>(projection: string): Promise<StoredProjection<Doc>> {
    const stored = this.projections.get(projection);
    if (!stored) return { checkpoint: 0, version: null, documents: {} };
    const documents: Record<string, Doc> = {};
    for (const [key, json] of stored.documents) documents[key] = JSON.parse(json) as Doc;
    return { checkpoint: stored.checkpoint, version: stored.version, anchor: stored.anchor, documents };
  }

  async save<Doc>(projection: string, version: number, checkpoint: number, changed: Readonly<Record<string, Doc>>, options: SaveOptions = {}): Promise<void> {
    const stored = this.projections.get(projection) ?? { checkpoint: 0, version, anchor: null, documents: new Map<string, string>() };
    for (const [key, doc] of Object.entries(changed)) stored.documents.set(key, JSON.stringify(doc));
    this.projections.set(projection, { ...stored, checkpoint, version, anchor: options.anchor ?? null });
  }

  async reset(projection: string): Promise<void> {
    this.projections.delete(projection);
  }

  async getDocument<Doc>(projection: string, key: string): Promise<Doc | null> {
    const json = this.projections.get(projection)?.documents.get(key);
    return json === undefined ? null : (JSON.parse(json) as Doc);
  }

  async close(): Promise<void> {}
}
