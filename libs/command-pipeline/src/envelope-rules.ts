/**
 * The rules every entry point (API, CLI, import) applies to a command's envelope, written once.
 */

/** The longest idempotency key: room for a UUID, or an import file's `file:line` reference. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/**
 * Printable ASCII without spaces, 1–255 characters. A NUL, a line break or a control character
 * would otherwise travel into every audit view that shows the key.
 */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export const IDEMPOTENCY_KEY_RULE = `1–${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters without spaces`;

export const isValidIdempotencyKey = (value: unknown): value is string => typeof value === 'string' && IDEMPOTENCY_KEY_PATTERN.test(value);

/**
 * Deepest nesting of arrays and objects a command may carry. The deepest command (a tumour
 * assessment's target lesions) is three levels; a body nested thousands deep would overflow the
 * stack of a recursive validator and end as an internal error instead of a refusal.
 */
export const MAX_COMMAND_DEPTH = 32;

/** Whether `value` nests deeper than `limit`; walked without recursion, and only down to `limit` + 1. */
export const nestsDeeperThan = (value: unknown, limit: number = MAX_COMMAND_DEPTH): boolean => {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (next.value === null || typeof next.value !== 'object') continue;
    if (next.depth >= limit) return true;
    for (const child of Object.values(next.value)) pending.push({ value: child, depth: next.depth + 1 });
  }
  return false;
};

const pointerToken = (name: string): string => name.replace(/~/g, '~0').replace(/\//g, '~1');

/** A number of a command's text that JSON.parse would not read as written: `pointer` is where, `literal` what was written. */
export interface InexactNumber {
  readonly pointer: string;
  readonly literal: string;
  /** `overflow`: beyond a double's range (read as Infinity); `rounded`: digits lost (read as another number, 0 included). */
  readonly kind: 'overflow' | 'rounded';
}

/** What JSON.parse would read otherwise than written: the first repeated member name and the first inexact number, by JSON pointer. */
export interface JsonTextFindings {
  readonly duplicateKey: string | null;
  readonly inexactNumber: InexactNumber | null;
}

const JSON_NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** A decimal number's exact value as `sign digits e exponent`, without leading or trailing zeros (every zero is `0`). */
const exactDecimal = (literal: string): string | null => {
  const match = JSON_NUMBER.exec(literal);
  if (match === null) return null;
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  let digits = `${whole}${fraction}`.replace(/^0+/, '');
  if (digits === '') return '0';
  let scale = Number(exponent) - fraction.length;
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailing);
  scale += trailing;
  return `${sign}${digits}e${scale}`;
};

/** Whether a character may continue a JSON number literal: a digit, `e`, `E`, `+`, `-` or `.`. */
const continuesNumber = (code: number): boolean => (code >= 48 && code <= 57) || code === 101 || code === 69 || code === 43 || code === 45 || code === 46;

/** How a number literal reads: null when JSON.parse keeps it as written; undefined when it is not a JSON number (the parser refuses it). */
const inexactKind = (literal: string): InexactNumber['kind'] | null | undefined => {
  const value = Number(literal);
  if (Number.isNaN(value)) return undefined;
  if (!Number.isFinite(value)) return 'overflow';
  // The common case, an integer or decimal written as JavaScript would print it, needs no exact comparison.
  if (String(value) === literal) return null;
  const written = exactDecimal(literal);
  if (written === null) return undefined;
  return written === exactDecimal(String(value).replace('e+', 'e')) ? null : 'rounded';
};

interface JsonFrame {
  /** Member names seen so far; null for an array. */
  readonly names: Set<string> | null;
  /** The current member's name, or the current element's index. */
  member: string;
  index: number;
  expectingName: boolean;
}

const pointerOf = (stack: readonly JsonFrame[], name?: string): string => {
  let pointer = '';
  for (let depth = 0; depth < stack.length; depth++) {
    const frame = stack[depth];
    const last = depth === stack.length - 1;
    pointer += `/${frame.names === null ? String(frame.index) : pointerToken(last && name !== undefined ? name : frame.member)}`;
  }
  return pointer;
};

/**
 * What `JSON.parse` would read otherwise than `text` writes it, found in one pass without recursion:
 *
 * - the first member name an object repeats (`{"a": 1, "a": 2}`): `JSON.parse` keeps the last value and
 *   drops the first without a word, so the command recorded would not be the one another reader of the
 *   same request (a proxy, a log, the client's own copy) sees; RFC 8259 leaves such a request's meaning
 *   undefined and I-JSON (RFC 7493) forbids it. Names are compared as decoded (`"a"` and `"\u0061"` are one);
 * - the first number beyond a double's range (`1e400` is read as Infinity, which no event can hold) or
 *   whose digits a double cannot keep (`120.00000000000000001` is read as 120, `1e-400` as 0,
 *   `9007199254740993` as 9007199254740992). Such a value would be recorded as another number than the
 *   site wrote; the precision rules could not see it, as they see only the number read. A literal is
 *   compared, as an exact decimal, with the shortest decimal that reads back as the double (`1.0`,
 *   `1.20e2`, `-0` are exact).
 *
 * Pointers are built only for what is found. Text that is not JSON gives no findings past the point
 * where it stops being JSON: the parser refuses it.
 */
export const scanJsonText = (text: string): JsonTextFindings => {
  const stack: JsonFrame[] = [];
  let duplicateKey: string | null = null;
  let inexactNumber: InexactNumber | null = null;
  const findings = (): JsonTextFindings => ({ duplicateKey, inexactNumber });
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      stack.push({ names: c === 123 ? new Set() : null, member: '', index: 0, expectingName: c === 123 });
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
    } else if (c === 44 /* , */) {
      const top = stack[stack.length - 1];
      if (top === undefined) return findings();
      if (top.names === null) top.index += 1;
      else top.expectingName = true;
    } else if (c === 34 /* " */) {
      let end = i + 1;
      while (end < text.length && text.charCodeAt(end) !== 34) end += text.charCodeAt(end) === 92 /* \ */ ? 2 : 1;
      if (end >= text.length) return findings();
      const top = stack[stack.length - 1];
      if (top !== undefined && top.names !== null && top.expectingName) {
        const raw = text.slice(i + 1, end);
        let name: string;
        try {
          name = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        } catch {
          return findings();
        }
        if (duplicateKey === null && top.names.has(name)) {
          duplicateKey = pointerOf(stack, name);
          if (inexactNumber !== null) return findings();
        }
        top.names.add(name);
        top.member = name;
        top.expectingName = false;
      }
      i = end;
    } else if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      let end = i + 1;
      while (end < text.length && continuesNumber(text.charCodeAt(end))) end += 1;
      if (inexactNumber === null) {
        const literal = text.slice(i, end);
        const kind = inexactKind(literal);
        if (kind === undefined) return findings();
        if (kind !== null) {
          inexactNumber = { pointer: pointerOf(stack), literal, kind };
          if (duplicateKey !== null) return findings();
        }
      }
      i = end - 1;
    }
  }
  return findings();
};

/** The JSON pointer of the first member name an object of `text` repeats, or null (see `scanJsonText`). */
export const firstDuplicateKey = (text: string): string | null => scanJsonText(text).duplicateKey;

/** The first number of `text` that JSON.parse does not read as written, or null (see `scanJsonText`). */
export const firstInexactNumber = (text: string): InexactNumber | null => scanJsonText(text).inexactNumber;

/** The refusal of an inexact number, the same code and words for the API and import: `VALIDATION.OUT_OF_RANGE` or `VALIDATION.PRECISION`. */
export const describeInexactNumber = (found: InexactNumber): { code: string; message: string } =>
  found.kind === 'overflow'
    ? { code: 'VALIDATION.OUT_OF_RANGE', message: `${found.pointer} is ${found.literal}, beyond the range of numbers the ledger records` }
    : { code: 'VALIDATION.PRECISION', message: `${found.pointer} is ${found.literal}, with more significant digits than a number can keep: it would be recorded as ${String(Number(found.literal))}` };
