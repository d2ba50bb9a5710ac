import type { ServerResponse } from 'node:http';

/** Problem codes of answers written on Node's response directly, past Fastify's `onSend` (the drain's refusals). */
const rawProblemCodes = new WeakMap<ServerResponse, string>();

/** Notes the code of a problem written straight on Node's response, for the access line to name it. */
export const noteRawProblemCode = (response: ServerResponse, code: string): void => {
  rawProblemCodes.set(response, code);
};

/** The code noted by `noteRawProblemCode`, if any. */
export const rawProblemCodeOf = (response: ServerResponse): string | undefined => rawProblemCodes.get(response);
