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

interface JsonFrame {
  /** Member names seen so far; null for an array. */
  readonly names: Set<string> | null;
  readonly pointer: string;
  /** The current member's name, or the current element's index. */
  member: string;
  index: number;
  expectingName: boolean;
}

/**
 * The JSON pointer of the first member name that an object of `text` repeats (`{"a": 1, "a": 2}`),
 * or null. `JSON.parse` keeps the last value and drops the first without a word, so the command
 * recorded would not be the one another reader of the same request (a proxy, a log, the client's own
 * copy) sees; RFC 8259 leaves such a request's meaning undefined and I-JSON (RFC 7493) forbids it.
 * Names are compared as decoded (`"a"` and `"\u0061"` are one name). Text that is not JSON gives
 * null: the parser refuses it. One pass, without recursion.
 */
export const firstDuplicateKey = (text: string): string | null => {
  const stack: JsonFrame[] = [];
  const childPointer = (): string => {
    const top = stack[stack.length - 1];
    if (top === undefined) return '';
    return `${top.pointer}/${top.names === null ? String(top.index) : pointerToken(top.member)}`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') {
      stack.push({ names: c === '{' ? new Set() : null, pointer: childPointer(), member: '', index: 0, expectingName: c === '{' });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top === undefined) return null;
      if (top.names === null) top.index += 1;
      else top.expectingName = true;
    } else if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (end >= text.length) return null;
      const top = stack[stack.length - 1];
      if (top !== undefined && top.names !== null && top.expectingName) {
        const raw = text.slice(i + 1, end);
        let name: string;
        try {
          name = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        } catch {
          return null;
        }
        if (top.names.has(name)) return `${top.pointer}/${pointerToken(name)}`;
        top.names.add(name);
        top.member = name;
        top.expectingName = false;
      }
      i = end;
    }
  }
  return null;
};

/** A number of a command's text that JSON.parse would not read as written: `pointer` is where, `literal` what was written. */
export interface InexactNumber {
  readonly pointer: string;
  readonly literal: string;
  /** `overflow`: beyond a double's range (read as Infinity); `rounded`: digits lost (read as another number, 0 included). */
  readonly kind: 'overflow' | 'rounded';
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

/**
 * The first number in the JSON `text` that `JSON.parse` does not read as written, or null: one beyond
 * a double's range (`1e400` is read as Infinity, which no event can hold) or one whose digits a double
 * cannot keep (`120.00000000000000001` is read as 120, `1e-400` as 0, `9007199254740993` as
 * 9007199254740992). Such a value would be recorded as another number than the site wrote, without a
 * word; the precision rules could not see it, as they see only the number read. A literal is compared,
 * as an exact decimal, with the shortest decimal that reads back as the double (`1.0`, `1.20e2`, `-0`
 * are exact). Text that is not JSON gives null: the parser refuses it. One pass, without recursion.
 */
export const firstInexactNumber = (text: string): InexactNumber | null => {
  const stack: Array<{ readonly pointer: string; readonly isArray: boolean; member: string; index: number; expectingName: boolean }> = [];
  const valuePointer = (): string => {
    const top = stack[stack.length - 1];
    if (top === undefined) return '';
    return `${top.pointer}/${top.isArray ? String(top.index) : pointerToken(top.member)}`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') {
      stack.push({ pointer: valuePointer(), isArray: c === '[', member: '', index: 0, expectingName: c === '{' });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top === undefined) return null;
      if (top.isArray) top.index += 1;
      else top.expectingName = true;
    } else if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (end >= text.length) return null;
      const top = stack[stack.length - 1];
      if (top !== undefined && !top.isArray && top.expectingName) {
        try {
          top.member = JSON.parse(text.slice(i, end + 1)) as string;
        } catch {
          return null;
        }
        top.expectingName = false;
      }
      i = end;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let end = i + 1;
      while (end < text.length && /[0-9eE+\-.]/.test(text[end])) end += 1;
      const literal = text.slice(i, end);
      const value = Number(literal);
      if (!Number.isFinite(value)) {
        if (Number.isNaN(value)) return null;
        return { pointer: valuePointer(), literal, kind: 'overflow' };
      }
      const written = exactDecimal(literal);
      if (written === null) return null;
      if (written !== exactDecimal(String(value).replace('e+', 'e'))) return { pointer: valuePointer(), literal, kind: 'rounded' };
      i = end - 1;
    }
  }
  return null;
};

/** The refusal of an inexact number, the same code and words for the API and import: `VALIDATION.OUT_OF_RANGE` or `VALIDATION.PRECISION`. */
export const describeInexactNumber = (found: InexactNumber): { code: string; message: string } =>
  found.kind === 'overflow'
    ? { code: 'VALIDATION.OUT_OF_RANGE', message: `${found.pointer} is ${found.literal}, beyond the range of numbers the ledger records` }
    : { code: 'VALIDATION.PRECISION', message: `${found.pointer} is ${found.literal}, with more significant digits than a number can keep: it would be recorded as ${String(Number(found.literal))}` };
