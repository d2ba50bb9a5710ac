import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { HttpStatus } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MAX_COMMAND_DEPTH, describeInexactNumber, nestsDeeperThan, scanJsonText, type InexactNumber } from '@trial-ledger/command-pipeline';
import { ApiProblemException } from '../problem-details/api-problem.exception';
import { INHERITED_KEYS } from '../validation/inherited-keys';
import { routedPath } from './routed-path';

export const DEFAULT_BODY_LIMIT = '256kb';

/**
 * Deepest nesting of arrays and objects a command body may have: the pipeline's rule. A 256 kB body
 * could otherwise nest ~128,000 levels and overflow the stack of the recursive DTO transformer.
 */
export const MAX_BODY_DEPTH = MAX_COMMAND_DEPTH;

/** Keys that no DTO declares and that must never reach an object as its prototype or constructor, or that the DTO transformer would drop unseen. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['prototype', ...INHERITED_KEYS]);

/** Where the JSON pointer of a repeated member name is kept between reading a body and parsing it. */
const DUPLICATE_KEY = Symbol('duplicateKey');
const INEXACT_NUMBER = Symbol('inexactNumber');

/** The viewer's sign-in and sign-out are HTML form posts; every other body is a JSON command. */
const VIEWER_FORM_PATH = /^\/viewer\//i;

/** `application/json` or any `application/*+json` media type, parameters (charset) aside. */
export const isJsonContentType = (header: unknown): boolean => {
  if (typeof header !== 'string') return false;
  const media = header.split(';')[0].trim().toLowerCase();
  return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'));
};

type RawParser = (request: IncomingMessage & { body?: unknown }, response: unknown, next: (error?: unknown) => void) => void;

interface BodyParserModule {
  json(options: {
    limit: string;
    strict: boolean;
    type: (request: IncomingMessage) => boolean;
    verify: (request: IncomingMessage, response: unknown, body: Buffer, encoding: BufferEncoding) => void;
  }): RawParser;
  urlencoded(options: { extended: boolean; limit: string; parameterLimit: number }): RawParser;
}

/**
 * body-parser (the parser Express and Nest's Express adapter use), run on Node's request inside a
 * Fastify content-type parser: the same limits, charsets, `Content-Encoding` inflation, strict JSON
 * (an object or an array) and error `type`s as before the move to Fastify. It has no type declarations.
 */
const bodyParser = createRequire(__filename)('body-parser') as BodyParserModule;

/** body-parser's error `type`s → our problem codes. */
const BODY_ERRORS: Readonly<Record<string, { code: string; status: number; detail: string }>> = {
  'entity.parse.failed': { code: 'REQUEST.MALFORMED_JSON', status: HttpStatus.BAD_REQUEST, detail: 'The request body is not valid JSON.' },
  'entity.too.large': { code: 'REQUEST.TOO_LARGE', status: HttpStatus.PAYLOAD_TOO_LARGE, detail: 'The request body is larger than the server accepts.' },
  'encoding.unsupported': { code: 'REQUEST.UNSUPPORTED_ENCODING', status: HttpStatus.UNSUPPORTED_MEDIA_TYPE, detail: 'The request body encoding is not supported.' },
  'charset.unsupported': { code: 'REQUEST.UNSUPPORTED_CHARSET', status: HttpStatus.UNSUPPORTED_MEDIA_TYPE, detail: 'The request body charset is not supported.' },
  'request.size.invalid': { code: 'REQUEST.MALFORMED_BODY', status: HttpStatus.BAD_REQUEST, detail: 'The request body length does not match Content-Length.' },
};

/**
 * Replaces Fastify's own body parsers with one catch-all content-type parser, so that every body —
 * whatever its media type, including none — is read here, and an unreadable one is *refused* here
 * with a problem the one problem-details filter renders (through Nest's error handler), instead of
 * Fastify's own error body. Only JSON is accepted: a command is never a form post. Fastify's JSON
 * parser would throw on `__proto__` (or strip it) before the key could be named; here the body is
 * parsed as it is and the forbidden key refused with its JSON pointer.
 */
export const registerRequestBodyParsers = (fastify: FastifyInstance, bodyLimit: string = DEFAULT_BODY_LIMIT): void => {
  // The decoded text is seen only here, before it is parsed: a repeated member name is noted and
  // refused once the body has parsed (a body that is not JSON at all is refused as malformed first).
  const verify = (request: IncomingMessage, _response: unknown, body: Buffer, encoding: BufferEncoding): void => {
    const { duplicateKey: duplicate, inexactNumber: inexact } = scanJsonText(body.toString(encoding));
    if (duplicate !== null) (request as IncomingMessage & { [DUPLICATE_KEY]?: string })[DUPLICATE_KEY] = duplicate;
    if (inexact !== null) (request as IncomingMessage & { [INEXACT_NUMBER]?: InexactNumber })[INEXACT_NUMBER] = inexact;
  };
  const json = bodyParser.json({ limit: bodyLimit, strict: true, type: (request) => isJsonContentType(request.headers['content-type']), verify });
  const form = bodyParser.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });
  const read = (request: FastifyRequest, done: (error: Error | null, body?: unknown) => void): void => {
    const raw = request.raw as IncomingMessage & { body?: unknown };
    if (!hasBody(raw)) return done(null, undefined);
    if (request.method === 'POST' && VIEWER_FORM_PATH.test(routedPath(request))) {
      // Only urlencoded forms are read there, small ones; any other body is left unread. Their errors
      // (http-errors) reach the problem filter as Nest's HttpException of their status.
      return form(raw, null, (error) => (error ? done(error as Error) : done(null, raw.body)));
    }
    if (!isJsonContentType(request.headers['content-type'])) {
      return done(new ApiProblemException('REQUEST.UNSUPPORTED_MEDIA_TYPE', HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Request bodies must be application/json.'));
    }
    json(raw, null, (error) => {
      if (error) return done(toProblem(error));
      try {
        const duplicate = (raw as IncomingMessage & { [DUPLICATE_KEY]?: string })[DUPLICATE_KEY];
        if (duplicate !== undefined) {
          throw new ApiProblemException('REQUEST.DUPLICATE_KEY', HttpStatus.BAD_REQUEST, 'The request body names the same member twice in one object; send each field once.', {
            pointer: duplicate,
          });
        }
        // 1e400 would be read as Infinity, 120.00000000000000001 as 120: refused as written, never recorded as another number.
        const inexact = (raw as IncomingMessage & { [INEXACT_NUMBER]?: InexactNumber })[INEXACT_NUMBER];
        if (inexact !== undefined) {
          const { code, message } = describeInexactNumber(inexact);
          throw new ApiProblemException(code, HttpStatus.BAD_REQUEST, `${message}.`, { pointer: inexact.pointer });
        }
        checkShape(raw.body);
      } catch (refusal) {
        return done(refusal as Error);
      }
      done(null, raw.body);
    });
  };
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request: FastifyRequest, _payload: unknown, done: (error: Error | null, body?: unknown) => void) => read(request, done));
  // Fastify reads no body on GET or HEAD; one sent anyway is read and refused like any other.
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return done();
    read(request, (error, body) => {
      if (error) return done(error);
      request.body = body;
      done();
    });
  });
};

const hasBody = (request: IncomingMessage): boolean =>
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
