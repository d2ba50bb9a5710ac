import type { ServerResponse } from 'node:http';

/**
 * Problem codes of answers whose body is no JSON problem the access line could read it from: those written on Node's
 * response directly, past Fastify's `onSend` (the drain's refusals), and the viewer's HTML refusal pages and forms.
 */
const rawProblemCodes = new WeakMap<ServerResponse, string>();

/** Notes the code of such an answer, for the access line to name it. */
export const noteRawProblemCode = (response: ServerResponse, code: string): void => {
  rawProblemCodes.set(response, code);
};

/** The code noted by `noteRawProblemCode`, if any. */
export const rawProblemCodeOf = (response: ServerResponse): string | undefined => rawProblemCodes.get(response);
