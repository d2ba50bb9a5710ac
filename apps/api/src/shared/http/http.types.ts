import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The slice of Express's request and response this API touches. `@types/express` is not installed
 * (Express arrives with `@nestjs/platform-express`), so the edge names what it uses instead of `any`.
 */
export interface HttpRequest extends IncomingMessage {
  readonly originalUrl: string;
  body?: unknown;
}

export interface HttpResponse extends ServerResponse {
  status(code: number): this;
  type(contentType: string): this;
  send(body: string): this;
}

export type NextHandler = (error?: unknown) => void;
export type HttpHandler = (request: HttpRequest, response: HttpResponse, next: NextHandler) => void;
