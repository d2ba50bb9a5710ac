import { createRequire } from 'node:module';
import type { HttpHandler } from './http.types';

export interface JsonParserOptions {
  readonly limit: string;
  readonly strict: boolean;
  readonly type: (request: { headers: Record<string, unknown> }) => boolean;
}

/**
 * Express's own JSON body parser (the one Nest would install), loaded without `@types/express`.
 * Its errors carry a `type` (`entity.parse.failed`, `entity.too.large`, …) that we map to problems.
 */
export const expressJson: (options: JsonParserOptions) => HttpHandler = (
  createRequire(__filename)('express') as { json: (options: JsonParserOptions) => HttpHandler }
).json;
