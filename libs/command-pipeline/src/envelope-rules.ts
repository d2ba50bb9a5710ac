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
