import type { Actor } from '@trial-ledger/domain';
import type { HttpRequest } from '../http/http.types';

/** Where the bearer guard leaves the authenticated actor for `@CurrentActor()` and `@CommandContext()`. */
export type AuthenticatedRequest = HttpRequest & { actor?: Actor };
