import { etagFor } from '../http/if-match';
import type { HttpResponse } from '../http/http.types';

/** A read model with the version of the stream it was read at: the `ETag` a client sends back as `If-Match`. */
export interface VersionedView<T> {
  readonly view: T;
  readonly streamVersion: number;
}

export const withEtag = <T>(result: VersionedView<T>, response: HttpResponse): T => {
  response.header('ETag', etagFor(result.streamVersion));
  return result.view;
};
