import type { ServerResponse } from 'node:http';
import type { HttpResponse } from './http.types';

/** Whether anything of the answer has left: a refusal can no longer be sent, only the connection cut. */
export const isAnswered = (reply: HttpResponse): boolean => reply.sent || reply.raw.headersSent;

/** 303 See Other to `location`, no body: the answer to a form post (the viewer's sign-in and sign-out). */
export const seeOther = (reply: HttpResponse, location: string): void => {
  void reply.redirect(location, 303);
};

/**
 * Node's response for a body written as it is produced (downloads, with backpressure), carrying the
 * status and headers set on the reply so far. The headers leave with the first byte, so a refusal
 * raised before it is still answered as a problem by the exception filters.
 */
export const streamingBody = (reply: HttpResponse): ServerResponse => {
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
  return reply.raw;
};
