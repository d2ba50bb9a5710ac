import type { KeyObject } from 'node:crypto';
import { nestsDeeperThan, scanJsonText } from '@trial-ledger/command-pipeline';
import { DomainError } from '@trial-ledger/domain';
import { hashEvent, type StoredEvent } from '@trial-ledger/event-store';
import { consistencyProofRanges, eventLeafHash, openTreeHead, verifyConsistency, verifyInclusion, type SignedTreeHead } from '@trial-ledger/merkle';
import { REDACTED } from '../trail/redaction';
import { CONSISTENCY_PROOF_FORMAT, INCLUSION_PROOF_FORMAT } from './proofs';

/** The outcome of checking a proof file offline, with the ledger's public key and nothing else. */
export interface ProofVerdict {
  readonly ok: boolean;
  readonly kind: 'inclusion' | 'consistency';
  /** One sentence: what the proof shows, or why it does not. */
  readonly message: string;
  /** The signed tree head(s) the proof is checked against (null where a signature failed). */
  readonly treeHeads: readonly (SignedTreeHead | null)[];
  readonly eventId?: string;
  readonly position?: number;
  /**
   * Inclusion: whether the event's content was checked against its hash. Not for a redacted event: then
   * only its hash and position are proved, and `eventId` is left out (the file's word for it is not proof).
   */
  readonly contentChecked?: boolean;
}

/** A proof path never holds more hashes than a tree of 2^53 events needs (plus one for consistency). */
const MAX_PATH = 128;

/**
 * Far deeper than any event the ledger records (a command's payload is held to 32 levels). The content
 * check (RFC 8785 canonical JSON) and the redaction walk recurse: an event nested thousands deep in a
 * file of a few kilobytes would overflow the stack and end as an internal error instead of a verdict.
 */
const MAX_EVENT_DEPTH = 256;

const malformed = (message: string): DomainError => new DomainError('PROOF.MALFORMED', `Not a proof file: ${message}`, 'validation');

const isBase64Hash = (value: unknown): value is string => typeof value === 'string' && /^[A-Za-z0-9+/]{43}=$/.test(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether a value holds the redaction marker somewhere: a redacted event's data always does. */
const holdsRedaction = (value: unknown): boolean =>
  value === REDACTED || (Array.isArray(value) ? value.some(holdsRedaction) : isPlainObject(value) && Object.values(value).some(holdsRedaction));

const checkPath = (proof: unknown): string[] => {
  if (!Array.isArray(proof) || proof.length > MAX_PATH || !proof.every(isBase64Hash)) throw malformed('"proof" must be a list of base64 SHA-256 hashes');
  return proof;
};

const checkEvent = (value: unknown): StoredEvent => {
  if (!isPlainObject(value)) throw malformed('"event" must be an object');
  const e = value;
  const ok =
    typeof e.eventId === 'string' && typeof e.type === 'string' && typeof e.streamId === 'string' &&
    isCount(e.schemaVersion) && isCount(e.streamVersion) && isCount(e.globalPosition) && e.globalPosition >= 1 &&
    isPlainObject(e.data) && isPlainObject(e.metadata) &&
    typeof e.prevHash === 'string' && /^[0-9a-f]{64}$/.test(e.prevHash) && typeof e.hash === 'string' && /^[0-9a-f]{64}$/.test(e.hash);
  if (!ok) throw malformed('"event" lacks a field of a stored event (eventId, type, streamId, versions, position, data, metadata, prevHash, hash)');
  if (nestsDeeperThan(e, MAX_EVENT_DEPTH)) throw malformed(`"event" nests deeper than ${MAX_EVENT_DEPTH} levels, which no recorded event does`);
  return value as unknown as StoredEvent;
};

/** Opens a signed tree head, turning a bad or foreign signature into a verdict rather than an error. */
const open = (note: unknown, publicKey: KeyObject): { head: SignedTreeHead | null; problem: string | null } => {
  if (typeof note !== 'string') throw malformed('a checkpoint must be a signed note (text)');
  try {
    return { head: openTreeHead(note, publicKey), problem: null };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'CHECKPOINT.BAD_SIGNATURE' || code === 'CHECKPOINT.UNKNOWN_KEY') return { head: null, problem: (error as Error).message };
    throw error;
  }
};

const verifyInclusionDocument = (doc: Record<string, unknown>, publicKey: KeyObject): ProofVerdict => {
  const event = checkEvent(doc.event);
  const proof = checkPath(doc.proof);
  if (!isCount(doc.leafIndex) || !isCount(doc.treeSize) || !isBase64Hash(doc.leafHash)) throw malformed('"leafIndex", "treeSize" and "leafHash" are required');
  if (typeof doc.redacted !== 'boolean') throw malformed('"redacted" must be true or false');
  // The content is checked whenever it can be: the "redacted" flag is the file's own word, so it excuses a
  // mismatch only where a secret was in fact taken out (and then nothing but the hash is proved).
  const contentChecked = hashEvent(event) === event.hash;
  const { head, problem } = open(doc.checkpoint, publicKey);
  const about = { kind: 'inclusion' as const, eventId: event.eventId, position: event.globalPosition, treeHeads: [head], contentChecked };
  const fail = (message: string): ProofVerdict => ({ ok: false, message, ...about });
  if (!head) return fail(`The checkpoint does not verify with the trusted key: ${problem}`);
  if (head.treeSize !== doc.treeSize) return fail(`The proof is for a tree of ${doc.treeSize} events, but the checkpoint signs ${head.treeSize}`);
  if (doc.leafIndex !== event.globalPosition - 1) return fail(`The proof is for entry ${doc.leafIndex} (position ${doc.leafIndex + 1}), but the event is at position ${event.globalPosition}`);
  if (!contentChecked && !(doc.redacted && holdsRedaction(event.data))) return fail(`The event's content does not match its hash: it was altered after it was recorded`);
  const leaf = eventLeafHash(event.hash);
  if (leaf.toString('base64') !== doc.leafHash) return fail('The leaf hash is not SHA-256(0x00 ‖ event hash)');
  const included = verifyInclusion(doc.leafIndex, head.treeSize, leaf, proof.map((p) => Buffer.from(p, 'base64')), Buffer.from(head.rootHash, 'base64'));
  if (!included) return fail(`The inclusion path does not lead to the signed root of ${head.treeSize} events`);
  const ledger = `the ledger ${head.origin} of ${head.treeSize} events, signed ${head.time}`;
  if (!contentChecked) {
    return {
      ok: true,
      message:
        `The event with hash ${event.hash} is entry ${doc.leafIndex} (position ${event.globalPosition}) of ${ledger}; its data is redacted here, ` +
        'so nothing else the file says of it (event id, type, stream, data) is proved — compare the hash with your copy.',
      ...about,
      eventId: undefined,
    };
  }
  return {
    ok: true,
    message: `Event ${event.eventId} (${event.type}, stream ${event.streamId}, position ${event.globalPosition}) is entry ${doc.leafIndex} of ${ledger}.`,
    ...about,
  };
};

const verifyConsistencyDocument = (doc: Record<string, unknown>, publicKey: KeyObject): ProofVerdict => {
  const proof = checkPath(doc.proof);
  if (!isCount(doc.fromSize) || !isCount(doc.toSize)) throw malformed('"fromSize" and "toSize" are required');
  // A consistency proof runs from the smaller tree to the larger: the other way round it proves nothing,
  // and saying "history was rewritten" about it would accuse the ledger on the strength of a mislabelled file.
  if (doc.fromSize < 1 || doc.fromSize > doc.toSize) throw malformed(`"fromSize" (${doc.fromSize}) must be between 1 and "toSize" (${doc.toSize})`);
  // RFC 9162 §2.1.4 fixes how many hashes the proof between two sizes holds: a path of another length is
  // no proof of these sizes (hashes dropped or added), and cannot stand as evidence that history was rewritten.
  const needed = consistencyProofRanges(doc.fromSize, doc.toSize).length;
  if (proof.length !== needed) {
    throw malformed(`"proof" holds ${proof.length} hashes, but a consistency proof from ${doc.fromSize} to ${doc.toSize} events needs ${needed}`);
  }
  const from = open(doc.from, publicKey);
  const to = open(doc.to, publicKey);
  const about = { kind: 'consistency' as const, treeHeads: [from.head, to.head] };
  const fail = (message: string): ProofVerdict => ({ ok: false, message, ...about });
  if (!from.head || !to.head) return fail(`A checkpoint does not verify with the trusted key: ${from.problem ?? to.problem}`);
  if (from.head.origin !== to.head.origin) return fail(`The checkpoints name two different logs (${from.head.origin}, ${to.head.origin})`);
  if (from.head.treeSize !== doc.fromSize || to.head.treeSize !== doc.toSize) return fail('The proof sizes are not those the checkpoints sign');
  const consistent = verifyConsistency(
    from.head.treeSize,
    to.head.treeSize,
    Buffer.from(from.head.rootHash, 'base64'),
    Buffer.from(to.head.rootHash, 'base64'),
    proof.map((p) => Buffer.from(p, 'base64')),
  );
  if (!consistent) {
    return fail(`The log of ${to.head.treeSize} events (signed ${to.head.time}) does not extend the log of ${from.head.treeSize} events (signed ${from.head.time}): history was rewritten`);
  }
  return {
    ok: true,
    message: `The ledger ${to.head.origin} of ${to.head.treeSize} events (signed ${to.head.time}) extends its first ${from.head.treeSize} events (signed ${from.head.time}) without changing them.`,
    ...about,
  };
};

/**
 * A proof file's text as JSON, for `verifyProofDocument`. What JSON.parse would read otherwise than
 * written is refused: a member named twice (JSON.parse keeps the last copy, a person reading the file and
 * many parsers the first) and a number a double cannot hold (`120.00000000000000001` is read as 120). A
 * genuine proof so edited would verify while the file shows another value than the one proved.
 */
export const parseProofText = (text: string): unknown => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed('not JSON');
  }
  const { duplicateKey, inexactNumber } = scanJsonText(text);
  if (duplicateKey !== null) throw malformed(`it names ${duplicateKey} twice, which readers take for different values`);
  if (inexactNumber !== null) throw malformed(`${inexactNumber.pointer} is ${inexactNumber.literal}, which reads as another number than written`);
  return value;
};

/** Checks an inclusion or consistency proof file (parsed JSON) offline: needs no store, only the trusted key. */
export const verifyProofDocument = (value: unknown, publicKey: KeyObject): ProofVerdict => {
  if (!isPlainObject(value)) throw malformed('expected a JSON object');
  if (value.format === INCLUSION_PROOF_FORMAT) return verifyInclusionDocument(value, publicKey);
  if (value.format === CONSISTENCY_PROOF_FORMAT) return verifyConsistencyDocument(value, publicKey);
  throw malformed(`"format" must be ${INCLUSION_PROOF_FORMAT} or ${CONSISTENCY_PROOF_FORMAT}`);
};

