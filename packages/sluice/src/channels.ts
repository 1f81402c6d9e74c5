/**
 * Every diagnostics_channel Sluice publishes on, with the type of its message, in one place
 * (as undici does). Instrumentations in instrument/ publish; analyzers and the request
 * context subscribe. Publishers check `hasSubscribers` first so that an idle hook costs
 * nothing beyond that check.
 */
import diagnosticsChannel, { type Channel } from 'node:diagnostics_channel';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

export type ServerRequest = IncomingMessage | Http2ServerRequest;
export type ServerResponseLike = ServerResponse | Http2ServerResponse;

/**
 * Set (to true) on a response whose request Sluice analyses. Response hooks test it first, so
 * that a request left out by sampling or the concurrency cap costs one property read per
 * hooked call and publishes nothing.
 */
export const RESPONSE_ANALYSED = Symbol('sluice.response.analysed');

export function isAnalysedResponse(res: unknown): boolean {
  return (res as Record<symbol, unknown> | null | undefined)?.[RESPONSE_ANALYSED] === true;
}

/** An http, https or http2 (compatibility API) server is about to handle a request. */
export interface HttpRequestStartMessage {
  readonly req: ServerRequest;
  readonly res: ServerResponseLike;
  /** The connection is TLS (https, http2 secure). */
  readonly secure: boolean;
}

/** The response head is about to be written; `headers` are all of them, names lower-cased. */
export interface HttpResponseHeadersMessage {
  readonly req: ServerRequest | undefined;
  readonly res: ServerResponseLike;
  readonly statusCode: number;
  readonly headers: Readonly<OutgoingHttpHeaders>;
}

/** A Set-Cookie header is being set (setHeader, appendHeader, or writeHead's headers). */
export interface HttpResponseCookieMessage {
  readonly res: ServerResponseLike;
  /** The header value as given: a string or an array of strings. */
  readonly value: unknown;
}

/** A chunk of the response body is written (res.write / res.end, express res.send). */
export interface HttpResponseBodyMessage {
  readonly res: ServerResponseLike;
  readonly chunk: unknown;
  readonly encoding: BufferEncoding | undefined;
  /**
   * The Content-Type a framework gives the response after this point, when it decides it
   * later (express res.send of a string without one: text/html).
   */
  readonly contentType?: string | undefined;
}

/**
 * A response header is being set: setHeader, appendHeader, each header given to writeHead,
 * and framework calls whose value the header hooks would not see as given (express
 * res.location and res.redirect encode the URL before setting it).
 */
export interface HttpResponseHeaderMessage {
  readonly res: ServerResponseLike;
  /** The call: `setHeader`, `writeHead`, `express.redirect`... */
  readonly api: string;
  readonly name: unknown;
  /** As given: a string, a number or an array. */
  readonly value: unknown;
}

/** A compiled template was rendered (ejs, handlebars, pug). */
export interface TemplateRenderMessage {
  readonly engine: string;
  /** The source texts of the templates rendered: the template's, its includes' and partials'. */
  readonly templates: readonly string[];
  /** The data the template was rendered with. */
  readonly locals: unknown;
  readonly output: unknown;
  /** Strings the engine's HTML escaping returned unchanged during the render, with counts. */
  readonly unchangedByEscaping: ReadonlyMap<string, number>;
}

/** The response has finished or the connection closed; the request's analysis ends. */
export interface HttpRequestEndMessage {
  readonly req: ServerRequest;
  readonly res: ServerResponseLike;
}

/**
 * A hooked function whose direct caller decides the finding (crypto, Math.random). `hook` is
 * the function the hook runs as: the stack above it starts at the caller, so the reporter
 * captures a few frames instead of walking up through the channel and the analyzer.
 */
export interface HookedCallMessage {
  readonly hook: (...args: never) => unknown;
}

/** crypto.createHash / createHmac was called. */
export interface CryptoHashMessage extends HookedCallMessage {
  readonly algorithm: string;
  readonly api: 'createHash' | 'createHmac' | 'hash';
}

/** crypto.createCipheriv / createDecipheriv was called. */
export interface CryptoCipherMessage extends HookedCallMessage {
  readonly algorithm: string;
  readonly api: 'createCipheriv' | 'createDecipheriv';
}

/** Math.random was called (the analyzer decides whether application code called it). */
export type MathRandomMessage = HookedCallMessage;

/** A string literal the rewriter saw in application code. */
export interface SourceLiteral {
  readonly value: string;
  readonly line: number;
  readonly column: number;
  /** The variable, property or parameter the literal is assigned to, when there is one. */
  readonly name?: string | undefined;
}

/** The rewriter processed an application file; the literals feed the hardcoded analyzers. */
export interface RewriteLiteralsMessage {
  readonly file: string;
  readonly literals: readonly SourceLiteral[];
}

/** A SQL query text reaches a database driver or query builder (pg, mysql2, sequelize...). */
export interface SqlQueryMessage {
  /** The query text as the application passed it (a string when the analyzer should look). */
  readonly query: unknown;
  /** The hooked library (`pg`, `mysql2`...). */
  readonly library: string;
}

/** A child_process function is called. */
export interface ChildProcessMessage {
  readonly api: string;
  /** The command (file, or the whole shell command line for exec). */
  readonly command: unknown;
  /** The argument list, when the API takes one. */
  readonly args: readonly unknown[] | undefined;
  /** The command line is interpreted by a shell (exec*, or `shell` set). */
  readonly shell: boolean;
}

/** Code is compiled from a string: eval, Function, vm. */
export interface CodeCompileMessage {
  readonly api: string;
  readonly code: unknown;
}

/** A file-system path reaches fs, fs/promises or a file-serving framework function. */
export interface FsPathMessage {
  readonly api: string;
  readonly path: unknown;
}

/**
 * An outgoing HTTP request is about to be made (http/https request/get, http2.connect, fetch,
 * undici). `url` is what the caller gave (a string, URL, or Request); `options` an object
 * whose protocol/hostname/host/port/path (or origin/path) fields may stand for or override it.
 */
export interface HttpClientRequestMessage {
  readonly api: string;
  readonly url: unknown;
  readonly options: unknown;
}

/** A template engine compiles template source (pug, handlebars, ejs); data passed to it is not this. */
export interface TemplateCompileMessage {
  /** The hooked library (`pug`, `handlebars`, `ejs`). */
  readonly library: string;
  readonly api: string;
  /** The template source as the application passed it. */
  readonly template: unknown;
}

/**
 * A MongoDB query reaches the driver or mongoose: a filter (find, update and delete filters,
 * `where` conditions) or an aggregation pipeline, as the application passed it.
 */
export interface NosqlQueryMessage {
  /** The hooked library (`mongodb`, `mongoose`). */
  readonly library: string;
  readonly api: string;
  readonly filter?: unknown;
  readonly pipeline?: unknown;
}

/** An LDAP search or bind is about to be sent (ldapjs): the DN and the string filter, if any. */
export interface LdapOperationMessage {
  readonly api: string;
  readonly dn: unknown;
  readonly filter: unknown;
}

/** Data is deserialised by a library that can run code or build arbitrary objects from it. */
export interface DeserializeMessage {
  /** The hooked library (`node-serialize`, `js-yaml`). */
  readonly library: string;
  readonly api: string;
  readonly data: unknown;
}

export interface ChannelMessages {
  'sluice:http.server.request.start': HttpRequestStartMessage;
  'sluice:http.server.response.headers': HttpResponseHeadersMessage;
  'sluice:http.server.response.cookie': HttpResponseCookieMessage;
  'sluice:http.server.response.body': HttpResponseBodyMessage;
  'sluice:http.server.response.header': HttpResponseHeaderMessage;
  'sluice:template.render': TemplateRenderMessage;
  'sluice:http.server.request.end': HttpRequestEndMessage;
  'sluice:crypto.hash': CryptoHashMessage;
  'sluice:crypto.cipher': CryptoCipherMessage;
  'sluice:math.random': MathRandomMessage;
  'sluice:rewriter.literals': RewriteLiteralsMessage;
  'sluice:sql.query': SqlQueryMessage;
  'sluice:child_process.command': ChildProcessMessage;
  'sluice:code.compile': CodeCompileMessage;
  'sluice:fs.path': FsPathMessage;
  'sluice:nosql.mongodb.query': NosqlQueryMessage;
  'sluice:ldap.operation': LdapOperationMessage;
  'sluice:deserialize': DeserializeMessage;
  'sluice:template.compile': TemplateCompileMessage;
  'sluice:http.client.request': HttpClientRequestMessage;
}

export type ChannelName = keyof ChannelMessages;

/** A typed view of a diagnostics channel. */
export interface TypedChannel<M> {
  readonly name: string;
  readonly raw: Channel;
  readonly hasSubscribers: boolean;
  publish(message: M): void;
  subscribe(fn: (message: M) => void): void;
  unsubscribe(fn: (message: M) => void): void;
}

export function channel<N extends ChannelName>(name: N): TypedChannel<ChannelMessages[N]> {
  const raw = diagnosticsChannel.channel(name);
  return {
    name,
    raw,
    get hasSubscribers() {
      return raw.hasSubscribers;
    },
    publish(message) {
      if (raw.hasSubscribers) raw.publish(message);
    },
    subscribe(fn) {
      raw.subscribe(fn as (m: unknown) => void);
    },
    unsubscribe(fn) {
      raw.unsubscribe(fn as (m: unknown) => void);
    },
  };
}
