/**
 * http, https and http2 (compatibility API) servers: runs each 'request' event through the
 * request runner (which opens the request context), and publishes the response head, body
 * chunks and end. Supports every Node.js release line from 20.
 */
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import {
  channel,
  type HttpRequestStartMessage,
  isAnalysedResponse,
  RESPONSE_ANALYSED,
  type ServerRequest,
  type ServerResponseLike,
} from '../channels.js';
import type { Instrumentation } from './instrumentation.js';
import { Shim } from './shim.js';

export const SUPPORTED = { module: 'node:http, node:https, node:http2', versions: '>=20' } as const;

/**
 * Opens the request's analysis around `next` (the original 'request' dispatch) and tells it
 * whether the request is analysed.
 */
export type RequestRunner = (
  message: HttpRequestStartMessage,
  next: (analysed: boolean) => unknown,
) => unknown;

type Guard = (error: unknown) => void;

const REQUEST_OF = Symbol('sluice.request');

function lowerCaseHeaders(res: ServerResponseLike, extra: unknown): Record<string, unknown> {
  // getHeaders() returns a fresh object keyed by lower-case names: it is the copy.
  const out: Record<string, unknown> =
    (res as { getHeaders?: () => Record<string, unknown> }).getHeaders?.() ?? {};
  if (Array.isArray(extra)) {
    if (extra.length > 0 && Array.isArray(extra[0])) {
      for (const pair of extra as unknown[][]) add(out, String(pair[0]), pair[1]);
    } else {
      for (let i = 0; i + 1 < extra.length; i += 2) add(out, String(extra[i]), extra[i + 1]);
    }
  } else if (extra && typeof extra === 'object') {
    for (const [k, v] of Object.entries(extra)) out[k.toLowerCase()] = v;
  }
  return out;
}

function add(out: Record<string, unknown>, name: string, value: unknown): void {
  const key = name.toLowerCase();
  const prev = out[key];
  if (prev === undefined) out[key] = value;
  else out[key] = [...(Array.isArray(prev) ? prev : [prev]), value];
}

export class HttpServerInstrumentation implements Instrumentation {
  readonly name = 'http-server';
  readonly #shim = new Shim('http-server');
  readonly #start = channel('sluice:http.server.request.start');
  readonly #headers = channel('sluice:http.server.response.headers');
  readonly #body = channel('sluice:http.server.response.body');
  readonly #cookie = channel('sluice:http.server.response.cookie');
  readonly #header = channel('sluice:http.server.response.header');
  readonly #end = channel('sluice:http.server.request.end');

  constructor(
    private readonly run: RequestRunner,
    private readonly guard: Guard,
  ) {}

  enable(): void {
    const http2Proto = Object.getPrototypeOf(http2.createServer());
    const http2SecureProto = Object.getPrototypeOf(http2.createSecureServer({}));
    for (const proto of [http.Server.prototype, https.Server.prototype, http2Proto, http2SecureProto]) {
      this.#shim.wrap(proto, 'emit', (original) => this.#emitHook(original));
    }
    for (const proto of [http.ServerResponse.prototype, http2.Http2ServerResponse.prototype]) {
      this.#shim.wrap(proto, 'writeHead', (original) => this.#writeHeadHook(original));
      for (const method of ['setHeader', 'appendHeader'] as const) {
        this.#shim.wrap(proto, method, (original) => this.#setHeaderHook(original, method));
      }
      for (const method of ['write', 'end'] as const) {
        this.#shim.wrap(proto, method, (original) => this.#bodyHook(original));
      }
    }
  }

  disable(): void {
    this.#shim.restore();
  }

  #emitHook(original: (this: unknown, ...args: unknown[]) => unknown) {
    const self = this;
    return function emit(this: unknown, event: unknown, ...args: unknown[]): unknown {
      if (event !== 'request') return Reflect.apply(original, this, [event, ...args]);
      const call = () => Reflect.apply(original, this, [event, ...args]);
      let message: HttpRequestStartMessage;
      try {
        const req = args[0] as ServerRequest;
        const res = args[1] as ServerResponseLike;
        const secure =
          (req as { scheme?: string }).scheme === 'https' ||
          (req.socket as { encrypted?: boolean } | null)?.encrypted === true;
        message = { req, res, secure };
      } catch (error) {
        self.guard(error);
        return call();
      }
      // Whether the application's listeners ran: an error thrown before that is Sluice's own
      // (the request is then served unanalysed); one thrown after is the application's.
      let dispatched = false;
      try {
        return self.run(message, (analysed) => {
          if (!analysed) {
            dispatched = true;
            return call();
          }
          try {
            const marks = message.res as unknown as Record<symbol, unknown>;
            marks[RESPONSE_ANALYSED] = true;
            marks[REQUEST_OF] = message.req;
            self.#start.publish(message);
            let ended = false;
            const end = () => {
              if (ended) return;
              ended = true;
              try {
                self.#end.publish({ req: message.req, res: message.res });
              } catch (error) {
                self.guard(error);
              }
            };
            message.res.once('finish', end);
            message.res.once('close', end);
          } catch (error) {
            self.guard(error);
          }
          dispatched = true;
          return call();
        });
      } catch (error) {
        if (dispatched) throw error;
        self.guard(error);
        return call();
      }
    };
  }

  #writeHeadHook(original: (this: unknown, ...args: unknown[]) => unknown) {
    const self = this;
    return function writeHead(this: ServerResponseLike, ...args: unknown[]): unknown {
      if (!isAnalysedResponse(this)) return Reflect.apply(original, this, args);
      if (self.#header.hasSubscribers && !this.headersSent) {
        try {
          self.#publishEach(this, typeof args[1] === 'string' ? args[2] : args[1]);
        } catch (error) {
          self.guard(error);
        }
      }
      if (self.#headers.hasSubscribers && !this.headersSent) {
        try {
          const statusCode = typeof args[0] === 'number' ? args[0] : this.statusCode;
          const extra = typeof args[1] === 'string' ? args[2] : args[1];
          if (extra && typeof extra === 'object' && self.#cookie.hasSubscribers) {
            const cookies = lowerCaseHeaders({} as ServerResponseLike, extra)['set-cookie'];
            if (cookies !== undefined) self.#cookie.publish({ res: this, value: cookies });
          }
          self.#headers.publish({
            req: (this as unknown as Record<symbol, ServerRequest | undefined>)[REQUEST_OF],
            res: this,
            statusCode,
            headers: lowerCaseHeaders(this, extra) as never,
          });
        } catch (error) {
          self.guard(error);
        }
      }
      return Reflect.apply(original, this, args);
    };
  }

  /** Each header writeHead was given (an object, `[[name, value]...]` or `[name, value, ...]`). */
  #publishEach(res: ServerResponseLike, headers: unknown): void {
    const publish = (name: unknown, value: unknown) =>
      this.#header.publish({ res, api: 'writeHead', name, value });
    if (Array.isArray(headers)) {
      if (headers.length > 0 && Array.isArray(headers[0])) {
        for (const pair of headers as unknown[][]) publish(pair[0], pair[1]);
      } else {
        for (let i = 0; i + 1 < headers.length; i += 2) publish(headers[i], headers[i + 1]);
      }
    } else if (headers && typeof headers === 'object') {
      for (const [name, value] of Object.entries(headers)) publish(name, value);
    }
  }

  #setHeaderHook(original: (this: unknown, ...args: unknown[]) => unknown, api: string) {
    const self = this;
    return function setHeader(this: ServerResponseLike, ...args: unknown[]): unknown {
      if (!isAnalysedResponse(this)) return Reflect.apply(original, this, args);
      if (self.#header.hasSubscribers) {
        try {
          self.#header.publish({ res: this, api, name: args[0], value: args[1] });
        } catch (error) {
          self.guard(error);
        }
      }
      if (
        self.#cookie.hasSubscribers &&
        typeof args[0] === 'string' &&
        args[0].length === 10 &&
        args[0].toLowerCase() === 'set-cookie'
      ) {
        try {
          self.#cookie.publish({ res: this, value: args[1] });
        } catch (error) {
          self.guard(error);
        }
      }
      return Reflect.apply(original, this, args);
    };
  }

  #bodyHook(original: (this: unknown, ...args: unknown[]) => unknown) {
    const self = this;
    return function writeBody(this: ServerResponseLike, ...args: unknown[]): unknown {
      if (
        self.#body.hasSubscribers &&
        args[0] != null &&
        typeof args[0] !== 'function' &&
        isAnalysedResponse(this)
      ) {
        try {
          self.#body.publish({
            res: this,
            chunk: args[0],
            encoding: typeof args[1] === 'string' ? (args[1] as BufferEncoding) : undefined,
          });
        } catch (error) {
          self.guard(error);
        }
      }
      return Reflect.apply(original, this, args);
    };
  }
}
