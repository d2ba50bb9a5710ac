import { HttpStatus, Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { MAX_COMMAND_DEPTH, nestsDeeperThan } from '@trial-ledger/command-pipeline';
import { ApiProblemException } from '../problem-details/api-problem.exception';
import { API_OPTIONS, type ApiModuleOptions } from '../tokens';
import { expressJson } from './express-json';
import type { HttpHandler, HttpRequest, HttpResponse, NextHandler } from './http.types';

export const DEFAULT_BODY_LIMIT = '256kb';

/**
 * Deepest nesting of arrays and objects a command body may have: the pipeline's rule. A 256 kB body
 * could otherwise nest ~128,000 levels and overflow the stack of the recursive DTO transformer.
 */
export const MAX_BODY_DEPTH = MAX_COMMAND_DEPTH;

/** Keys that no DTO declares and that must never reach an object as its prototype or constructor. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

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
    checkShape((request as { body?: unknown }).body);
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

/**
 * Refuses nesting deeper than {@link MAX_BODY_DEPTH} (the pipeline's check), then walks the body
 * without recursion for prototype-polluting keys, which the DTO whitelist would otherwise drop
 * silently instead of refusing like any other unknown field.
 */
const checkShape = (body: unknown): void => {
  if (nestsDeeperThan(body, MAX_BODY_DEPTH)) {
    throw new ApiProblemException('REQUEST.TOO_DEEP', HttpStatus.BAD_REQUEST, `The request body nests arrays and objects deeper than ${MAX_BODY_DEPTH} levels.`, {
      maxDepth: MAX_BODY_DEPTH,
    });
  }
  const pending: Array<{ value: unknown; pointer: string }> = [{ value: body, pointer: '' }];
  while (pending.length > 0) {
    const { value, pointer } = pending.pop()!;
    if (value === null || typeof value !== 'object') continue;
    for (const key of Object.keys(value)) {
      const child = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (FORBIDDEN_KEYS.has(key)) {
        throw new ApiProblemException('REQUEST.FORBIDDEN_KEY', HttpStatus.BAD_REQUEST, `The request body may not contain the key "${key}".`, { pointer: child });
      }
      pending.push({ value: (value as Record<string, unknown>)[key], pointer: child });
    }
  }
};
