import { createHmac } from 'node:crypto';

const MODULUS = 1n << 256n;

/** Domain separation: the read models' key is derived from the server's seal key, never equal to it. */
const PURPOSE = 'trial-ledger read-model seal v1';

/** The read models' seal key, derived from the key that seals the API's sessions (kept in the key directory, not beside the store). */
export const readModelSealKey = (serverSealKey: Buffer): Buffer => createHmac('sha256', serverSealKey).update(PURPOSE).digest();

/**
 * An order-free keyed digest of a set of rows: the sum, modulo 2^256, of an HMAC-SHA256 of each row.
 * A row's replacement moves it by the difference of two HMACs, so keeping the digest costs O(1) per
 * changed row, and checking it costs one HMAC per row. Without the key, which lives in the key
 * directory and not beside the read models, nobody who can write the read-model file can make an
 * altered, added or removed row agree with the digest the server wrote.
 */
export class RowSeal {
  constructor(private readonly key: Buffer) {}

  /** The HMAC of one row, as a number; `parts` name the row (table, key) and hold its content. */
  macOf(parts: readonly (string | number | null)[]): bigint {
    return BigInt(`0x${createHmac('sha256', this.key).update(JSON.stringify(parts)).digest('hex')}`);
  }

  static add(digest: bigint, mac: bigint): bigint {
    return (digest + mac) % MODULUS;
  }

  static remove(digest: bigint, mac: bigint): bigint {
    return (digest - mac + MODULUS) % MODULUS;
  }

  static text(digest: bigint): string {
    return digest.toString(16).padStart(64, '0');
  }
}

/** Saved read models whose seal is missing or does not match their rows: altered outside the server. */
export class ReadModelsAlteredError extends Error {
  readonly code = 'READ_MODELS.ALTERED';
}
