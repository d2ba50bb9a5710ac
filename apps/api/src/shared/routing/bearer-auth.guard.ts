/**
 * The bearer guard itself is the identity engineer's (`apps/api/src/identity/bearer-auth.guard.ts`);
 * this path is kept for the request type it imports from here.
 */
export type { AuthenticatedRequest } from './authenticated-request';
