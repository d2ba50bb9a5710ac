import type { RequestOrigin } from '@trial-ledger/identity';
import type { HttpRequest } from '../shared/http/http.types';

/** Where an authentication attempt came from, for the identity events (Part 11 §11.10(e), §11.300(d)). */
export const originOf = (request: HttpRequest): RequestOrigin => {
  const ip = (request as HttpRequest & { ip?: string }).ip ?? request.socket?.remoteAddress ?? null;
  return { source: 'api', ip: typeof ip === 'string' ? ip.slice(0, 64) : null };
};
