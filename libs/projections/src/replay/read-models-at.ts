import type { EventStore } from '@trial-ledger/event-store';
import { clinicalReadModels, type ClinicalDocument, type ClinicalState } from '../clinical-read-models.projection';
import { applyChanges } from '../projection';
import { toProjected } from '../projected-event';
import type { ProjectionStore } from '../store/projection-store.port';
import { savedOnThisLog } from '../store/event-at';

export interface ReadModelsAtOptions {
  /** Where a server keeps the read models between runs (e.g. `ledger.sqlite.read-models`); read, never written. */
  readonly saved?: ProjectionStore | null;
  /** The position to stand at (default: the head of the log). */
  readonly toPosition?: number;
  /**
   * A state the caller kept at an earlier position (the viewer's past pages), folded on from instead of position 0
   * when it is at or below `toPosition` and nearer than the saved rows. Never modified: documents are replaced, not
   * changed in place, so a copy of its record is a state of its own.
   */
  readonly from?: { readonly state: ClinicalState; readonly position: number } | null;
}

export interface ClinicalReadModelsAt {
  readonly state: ClinicalState;
  /** The last position folded. */
  readonly position: number;
  /** Events folded on top of the saved read models (all of them when none could be used). */
  readonly folded: number;
}

/**
 * The clinical read models at a position, for a one-shot reader (report, replay at the head, pfs): the
 * saved rows and checkpoint, if any, with only the events after the checkpoint folded on top in memory.
 * Saved rows ahead of the position asked for (or of another projection version) are not used: then the
 * log is folded from position 0, once. Nothing is written back: the server's runner owns the saved rows.
 */
export const clinicalReadModelsAt = async (store: EventStore, options: ReadModelsAtOptions = {}): Promise<ClinicalReadModelsAt> => {
  const toPosition = options.toPosition ?? (await store.head()).position;
  let state: Record<string, ClinicalDocument> = {};
  let position = 0;
  if (options.saved) {
    const loaded = await options.saved.load<ClinicalDocument>(clinicalReadModels.name);
    if (loaded.version === clinicalReadModels.version && loaded.checkpoint <= toPosition && (await savedOnThisLog(store, loaded))) {
      state = { ...loaded.documents };
      position = loaded.checkpoint;
    }
  }
  const from = options.from;
  if (from && from.position <= toPosition && from.position > position) {
    state = { ...from.state };
    position = from.position;
  }
  let folded = 0;
  if (position < toPosition) {
    for await (const event of store.readAll({ afterPosition: position, toPosition, batchSize: 1000 })) {
      applyChanges(state, clinicalReadModels.evolve(state, toProjected(event)));
      position = event.globalPosition;
      folded += 1;
    }
  }
  return { state, position: Math.max(position, toPosition), folded };
};
