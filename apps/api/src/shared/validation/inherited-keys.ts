/**
 * The names of what every object inherits (`constructor`, `__proto__`, `toString`, `hasOwnProperty`,
 * …). class-transformer skips a key whose name is one of them when it builds a DTO, so the whitelist
 * never sees it to refuse it: a request naming one would be answered as if it had not, its field
 * silently dropped. The edge refuses them before the DTO is built.
 */
export const INHERITED_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));
