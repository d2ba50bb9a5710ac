import { HttpStatus, Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { ApiProblemException } from '../problem-details/api-problem.exception';
import { API_OPTIONS, type ApiModuleOptions } from '../tokens';
import { expressJson } from './express-json';
import type { HttpHandler, HttpRequest, HttpResponse, NextHandler } from './http.types';

export const DEFAULT_BODY_LIMIT = '256kb';

/** `application/json` or any `application/*+json` media type, parameters (charset) aside. */
export const isJsonContentType = (header: unknown): boolean => {
  if (typeof header !== 'string') return false;
  const media = header.split(';')[0].trim().toLowerCase();
  return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'));
};

/** body-parser's error `type`s → our problem codes. */
const BODY_ERRORS: Readonly<Record<string, { code: string; status: number; detail: string }>> = {
  'entity.parse.failed': { code: 'REQUEST.MALFORMED_JSON', status: HttpStatus.BAD_REQUEST, detail: 'The request body is not valid JSON.' },
  'entity.too.large': { code: 'REQUEST.TOO_LARGE', status: HttpStatus.PAYLOAD_TOO_LARGE, detail: 'The request body is larger than the server accepts.' },
  'encoding.unsupported': { code: 'REQUEST.UNSUPPORTED_ENCODING', status: HttpStatus.UNSUPPORTED_MEDIA_TYPE, detail: 'The request body encoding is not supported.' },
  'charset.unsupported': { code: 'REQUEST.UNSUPPORTED_CHARSET', status: HttpStatus.UNSUPPORTED_MEDIA_TYPE, detail: 'The request body charset is not supported.' },
  'request.size.invalid': { code: 'REQUEST.MALFORMED_BODY', status: HttpStatus.BAD_REQUEST, detail: 'The request body length does not match Content-Length.' },
};

/**
 * Parses JSON bodies in place of Nest's built-in parser (the app is created with `bodyParser: false`)
 * so that an unreadable body is *thrown* here and rendered by the one problem-details filter, instead
 * of reaching Express's HTML error page. Only JSON is accepted: a command is never a form post.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware<HttpRequest, HttpResponse> {
  private readonly parse: HttpHandler;

  constructor(@Inject(API_OPTIONS) options: ApiModuleOptions) {
    this.parse = expressJson({ limit: options.bodyLimit ?? DEFAULT_BODY_LIMIT, strict: true, type: (request) => isJsonContentType(request.headers['content-type']) });
  }

  async use(request: HttpRequest, response: HttpResponse, next: NextHandler): Promise<void> {
    if (hasBody(request) && !isJsonContentType(request.headers['content-type'])) {
      throw new ApiProblemException('REQUEST.UNSUPPORTED_MEDIA_TYPE', HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Request bodies must be application/json.');
    }
    await new Promise<void>((resolve, reject) => {
      this.parse(request, response, (error?: unknown) => (error ? reject(toProblem(error)) : resolve()));
    });
    next();
  }
}

const hasBody = (request: HttpRequest): boolean =>
  request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');

const toProblem = (error: unknown): ApiProblemException => {
  const type = (error as { type?: unknown }).type;
  const known = typeof type === 'string' ? BODY_ERRORS[type] : undefined;
  return known
    ? new ApiProblemException(known.code, known.status, known.detail)
    : new ApiProblemException('REQUEST.MALFORMED_BODY', HttpStatus.BAD_REQUEST, 'The request body could not be read.');
};
