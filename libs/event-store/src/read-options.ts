import { InvalidReadError } from './event-store.errors';
import type { ReadAllOptions, ReadStreamOptions } from './event-store.port';

/**
 * The shape rules of a read, checked before any I/O by every store, as `validateAppendRequest` is for
 * appends: a global position is a whole number from 0 that JavaScript holds exactly (PostgreSQL's
 * bigint would refuse 1.5 or 2^63 with its own error where SQLite answered), and a batch size a whole
 * number from 1 (SQLite's loop read a batch of 0 as the end of a batch and failed on the next).
 */
const requirePosition = (option: string, value: number | undefined): void => {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
    throw new InvalidReadError(`${option} must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER} (got ${String(value)})`);
  }
};

export const validateReadStreamOptions = (options: ReadStreamOptions): void => {
  requirePosition('toPosition', options.toPosition);
};

export const validateReadAllOptions = (options: ReadAllOptions): void => {
  requirePosition('afterPosition', options.afterPosition);
  requirePosition('toPosition', options.toPosition);
  if (options.batchSize !== undefined && !(Number.isSafeInteger(options.batchSize) && options.batchSize >= 1)) {
    throw new InvalidReadError(`batchSize must be a whole number from 1 (got ${String(options.batchSize)})`);
  }
};
