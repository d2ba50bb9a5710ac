import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

const POOL_BYTES = 16 * 256;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/**
 * A new UUID v7 (time-ordered): event ids, and the correlation id of a request that brought none. The
 * random part comes from a pool of CSPRNG bytes refilled 256 ids at a time, as Node's own `randomUUID`
 * does, instead of one system call (and a Web Crypto call) per id.
 */
export const newTimeOrderedId = (): string => {
  if (offset === POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const random = pool.subarray(offset, offset + 16);
  offset += 16;
  return uuidv7({ random });
};

/** A new event id (UUID v7). */
export const newEventId = newTimeOrderedId;
