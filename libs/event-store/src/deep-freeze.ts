/**
 * Freezes a value and everything in it, stopping at what is frozen already: stored events handed out
 * from a cache, and states folded onto frozen parts, are shared between callers. A list built by
 * appending to a frozen one holds frozen items: each is passed over at the cost of one check, without
 * copying the list.
 */
export const deepFreeze = <T>(value: T): T => {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) deepFreeze(value[i]);
  } else {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
};
