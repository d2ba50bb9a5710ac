import { createHmac } from 'node:crypto';

const MODULUS = 1n << 256n;

/** Seals written with `rowMacOf`; earlier seals (bare hex, rows quoted inside JSON) are not checked but rebuilt. */
const ROW_SEAL_FORMAT = 'v2:';

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

  /** The HMAC of a small record (a checkpoint), as a number; `parts` name it and hold its content. */
  macOf(parts: readonly (string | number | null)[]): bigint {
    return BigInt(`0x${createHmac('sha256', this.key).update(JSON.stringify(parts)).digest('hex')}`);
  }

  /**
   * The HMAC of one saved row, as a number. The row's JSON (tens of kilobytes for a casebook) is hashed
   * as it is, after its table and key with their lengths, rather than quoted again inside a JSON array:
   * a save seals every changed row, and quoting them doubled the cost of serialising them.
   */
  rowMacOf(table: string, key: string, content: string): bigint {
    const hmac = createHmac('sha256', this.key).update(`row ${table.length}:${table} ${key.length}:${key} `).update(content);
    return BigInt(`0x${hmac.digest('hex')}`);
  }

  /**
   * The HMAC of a document's head row whose lists are kept in chunk rows: its lists' layouts are
   * sealed with it (they say where the chunks go), and its tag keeps it apart from a whole row's.
   */
  headMacOf(table: string, key: string, layouts: string, content: string): bigint {
    const hmac = createHmac('sha256', this.key).update(`head ${table.length}:${table} ${key.length}:${key} ${layouts.length}:${layouts} `).update(content);
    return BigInt(`0x${hmac.digest('hex')}`);
  }

  /** The HMAC of one chunk row of a document's list: where it goes (document, list, chunk) and its items. */
  chunkMacOf(table: string, key: string, list: number, chunk: number, content: string): bigint {
    const hmac = createHmac('sha256', this.key).update(`chunk ${table.length}:${table} ${key.length}:${key} ${list} ${chunk} `).update(content);
    return BigInt(`0x${hmac.digest('hex')}`);
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

  /** A read-model checkpoint's seal as saved: the digest in hex after the format of its row MACs. */
  static rowsText(digest: bigint): string {
    return `${ROW_SEAL_FORMAT}${RowSeal.text(digest)}`;
  }

  /** Whether a saved checkpoint seal was made by `rowMacOf` (an earlier format's rows are rebuilt once, not checked). */
  static isCurrentRowsFormat(text: string | null): boolean {
    return text !== null && text.startsWith(ROW_SEAL_FORMAT);
  }
}

/** Saved read models whose seal is missing or does not match their rows: altered outside the server. */
export class ReadModelsAlteredError extends Error {
  readonly code = 'READ_MODELS.ALTERED';
}
