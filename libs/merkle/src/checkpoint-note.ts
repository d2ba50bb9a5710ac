import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { DomainError } from '@trial-ledger/domain';
import { HASH_SIZE } from './rfc9162';

/**
 * A signed tree head in the C2SP `tlog-checkpoint` format, wrapped in a C2SP `signed-note`:
 *
 * ```
 * trial-ledger/3f9c0a…            ← origin: names the log
 * 1234                             ← tree size (decimal)
 * q6yr…=                           ← base64 root hash
 * time 2026-11-30T18:00:00.000Z    ← extension lines (ours): signing time,
 * chain 1234 9e1f…                 ←   and the hash chain head at that size
 *
 * — trial-ledger/3f9c0a… AbCd…     ← key name, base64(4-byte key ID ‖ Ed25519 signature)
 * ```
 * Any note verifier (e.g. golang.org/x/mod/sumdb/note) checks it with the ledger's public key.
 */
export interface TreeHead {
  readonly origin: string;
  readonly treeSize: number;
  /** Base64 RFC 9162 root hash. */
  readonly rootHash: string;
  /** Server UTC instant of signing. */
  readonly time: string;
  /** Hex hash of the chained event at position `treeSize` (the existing chain head; GENESIS for 0). */
  readonly chainHash: string;
}

export interface SignedTreeHead extends TreeHead {
  /** The whole signed note, exactly as signed and kept. */
  readonly note: string;
  readonly keyName: string;
  /** Hex of the 4-byte key ID the signature line names. */
  readonly keyId: string;
}

const EM_DASH = '\u2014';

const malformed = (message: string): DomainError => new DomainError('CHECKPOINT.MALFORMED', `Not a signed tree head: ${message}`, 'validation');

/** Key names (and our origins) are non-empty, without whitespace, `+` or control characters. */
const validKeyName = (name: string): boolean => name.length > 0 && name.length <= 200 && /^[\x21-\x2a\x2c-\x7e]+$/.test(name);

/** SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ raw Ed25519 public key)[0:4], per the signed-note spec. */
export const noteKeyId = (keyName: string, publicKey: KeyObject): Buffer => {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new DomainError('LEDGER_KEY.WRONG_TYPE', 'Signed notes need an Ed25519 key', 'validation');
  return createHash('sha256').update(keyName, 'utf8').update(Buffer.of(0x0a, 0x01)).update(Buffer.from(jwk.x, 'base64url')).digest().subarray(0, 4);
};

/** The origin a ledger key names its log by: stable per key, so checkpoints of two ledgers never mix. */
export const ledgerOrigin = (publicKeyFingerprint: string): string => `trial-ledger/${publicKeyFingerprint.replace(/^sha256:/, '').slice(0, 16)}`;

const noteBody = (head: TreeHead): string =>
  `${head.origin}\n${head.treeSize}\n${head.rootHash}\ntime ${head.time}\nchain ${head.treeSize} ${head.chainHash}\n`;

export const signTreeHead = (head: TreeHead, privateKey: KeyObject, publicKey: KeyObject): SignedTreeHead => {
  if (!validKeyName(head.origin)) throw malformed(`origin ${JSON.stringify(head.origin)} has spaces, '+' or control characters`);
  const body = noteBody(head);
  const keyId = noteKeyId(head.origin, publicKey);
  const signature = sign(null, Buffer.from(body, 'utf8'), privateKey);
  const note = `${body}\n${EM_DASH} ${head.origin} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
  return { ...head, note, keyName: head.origin, keyId: keyId.toString('hex') };
};

/** C0/C1 controls other than the line feed, and the bidi overrides that reorder what a reader sees. */
const isHostileCharacter = (c: string): boolean => {
  const code = c.codePointAt(0) as number;
  return (code < 0x20 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f) || code === 0x200e || code === 0x200f || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
};

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** Parses the note's text (no signature check): every field is validated, nothing is trusted yet. */
export const parseTreeHead = (note: string): SignedTreeHead & { readonly signature: Buffer } => {
  if (note.length > 4096) throw malformed('longer than 4096 characters');
  const split = note.lastIndexOf('\n\n');
  // Our notes are plain ASCII above the signatures: no control, bidi or look-alike characters to hide in.
  if ([...note].some(isHostileCharacter)) throw malformed('control or bidi characters');
  if (split >= 0 && [...note.slice(0, split)].some((c) => c !== '\n' && (c < ' ' || c > '~'))) throw malformed('characters other than printable ASCII');
  if (split < 0 || !note.endsWith('\n')) throw malformed('no blank line before the signature');
  const lines = note.slice(0, split + 1).split('\n').slice(0, -1);
  const signatures = note.slice(split + 2, -1).split('\n');
  const [origin, size, root, ...extensions] = lines;
  if (lines.length < 3 || !validKeyName(origin)) throw malformed('the first line must name the log');
  if (!/^(0|[1-9]\d{0,15})$/.test(size) || !Number.isSafeInteger(Number(size))) throw malformed('the second line must be the tree size');
  if (!/^[A-Za-z0-9+/]{43}=$/.test(root) || Buffer.from(root, 'base64').length !== HASH_SIZE) throw malformed('the third line must be a base64 SHA-256 root hash');
  const time = extensions.find((line) => line.startsWith('time '))?.slice(5) ?? '';
  const chain = extensions.find((line) => line.startsWith('chain '))?.split(' ') ?? [];
  if (!ISO_INSTANT.test(time)) throw malformed('no "time" extension line with an ISO instant');
  if (chain.length !== 3 || chain[1] !== size || !/^[0-9a-f]{64}$/.test(chain[2])) throw malformed('no "chain SIZE HASH" extension line');
  const line = signatures.find((s) => s.startsWith(`${EM_DASH} ${origin} `));
  if (!line) throw malformed(`no signature line by key ${origin}`);
  const blob = line.slice(`${EM_DASH} ${origin} `.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) throw malformed('the signature is not base64');
  const bytes = Buffer.from(blob, 'base64');
  if (bytes.length !== 4 + 64) throw malformed('the signature is not a key ID and an Ed25519 signature');
  return {
    origin,
    treeSize: Number(size),
    rootHash: root,
    time,
    chainHash: chain[2],
    note,
    keyName: origin,
    keyId: bytes.subarray(0, 4).toString('hex'),
    signature: bytes.subarray(4),
  };
};

export type TreeHeadCheck = 'valid' | 'unknown-key' | 'bad-signature';

/**
 * Checks any signed note's signature line by `keyName` against the public key the verifier trusts
 * (never one the note names): the key ID must be that key's, and the Ed25519 signature must cover the
 * text up to the blank line.
 */
export const verifyNoteSignature = (note: string, keyName: string, publicKey: KeyObject): TreeHeadCheck => {
  const split = note.lastIndexOf('\n\n');
  const prefix = `${EM_DASH} ${keyName} `;
  const line = split < 0 ? undefined : note.slice(split + 2).split('\n').find((s) => s.startsWith(prefix));
  if (line === undefined) return 'unknown-key';
  const bytes = Buffer.from(line.slice(prefix.length), 'base64');
  if (bytes.length !== 4 + 64) return 'bad-signature';
  if (!noteKeyId(keyName, publicKey).equals(bytes.subarray(0, 4))) return 'unknown-key';
  try {
    return verify(null, Buffer.from(note.slice(0, split + 1), 'utf8'), publicKey, bytes.subarray(4)) ? 'valid' : 'bad-signature';
  } catch {
    return 'bad-signature';
  }
};

export const checkTreeHeadSignature = (note: string, publicKey: KeyObject): TreeHeadCheck =>
  verifyNoteSignature(note, parseTreeHead(note).keyName, publicKey);

/** Parses and verifies: the tree head, or a `CHECKPOINT.BAD_SIGNATURE` / `CHECKPOINT.UNKNOWN_KEY` refusal. */
export const openTreeHead = (note: string, publicKey: KeyObject): SignedTreeHead => {
  const check = checkTreeHeadSignature(note, publicKey);
  if (check === 'unknown-key') throw new DomainError('CHECKPOINT.UNKNOWN_KEY', 'The tree head is signed by another key than the one you trust', 'validation');
  if (check === 'bad-signature') throw new DomainError('CHECKPOINT.BAD_SIGNATURE', 'The tree head signature does not verify: it was altered or forged', 'validation');
  const { origin, treeSize, rootHash, time, chainHash, keyName, keyId } = parseTreeHead(note);
  return { origin, treeSize, rootHash, time, chainHash, note, keyName, keyId };
};
