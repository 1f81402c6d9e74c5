/**
 * Taints a request's data when its analysis starts: header values and names, the URL, and,
 * as frameworks set them, the parsed body, query, route parameters and cookies (any
 * framework that assigns `req.body`/`req.query`/`req.params`/`req.cookies`, such as Express 4
 * and 5, body-parser, multer, cookie-parser). Express 5's `req.query` is a getter that parses
 * the URL on each access: its result is tainted on each access.
 */
import type { ServerRequest } from '../channels.js';
import type { Origin, TaintEngine } from '../taint/types.js';
import { enumerableKeyCount, type RequestObjects, taintDeep, taintString } from './taint-value.js';

const ACCESSORS: ReadonlyArray<readonly [string, Origin]> = [
  ['body', 'http.request.body'],
  ['query', 'http.request.parameter'],
  ['params', 'http.request.path.parameter'],
  ['cookies', 'http.request.cookie.value'],
  ['signedCookies', 'http.request.cookie.value'],
];

function multipartAware(req: ServerRequest, origin: Origin): Origin {
  if (origin !== 'http.request.body') return origin;
  const type = req.headers['content-type'];
  return typeof type === 'string' && type.toLowerCase().startsWith('multipart/')
    ? 'http.request.multipart.parameter'
    : origin;
}

/** `objects`, when given, records the request's parsed objects and arrays (see RequestObjects). */
export function taintRequest(
  engine: TaintEngine,
  req: ServerRequest,
  guard: (error: unknown) => void,
  objects?: RequestObjects,
): void {
  const headers = req.headers as Record<string, string | string[] | undefined>;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (typeof value === 'string') headers[name] = taintString(engine, value, 'http.request.header', name);
    else if (Array.isArray(value)) taintDeep(engine, value, 'http.request.header', name);
  }
  taintRawHeadersOnRead(engine, req, headers);
  if (typeof req.url === 'string') req.url = taintString(engine, req.url, 'http.request.uri', 'url');
  for (const [property, origin] of ACCESSORS)
    defineTaintingAccessor(engine, req, property, origin, guard, objects);
}

/**
 * The raw header list is tainted when first read: few applications read it, and tainting its
 * names and values eagerly made it the largest share of the tainted strings of a request.
 * Values equal to the (tainted) `headers` entry of their name share that string.
 */
function taintRawHeadersOnRead(
  engine: TaintEngine,
  req: ServerRequest,
  headers: Record<string, string | string[] | undefined>,
): void {
  const raw = req.rawHeaders;
  if (!Array.isArray(raw)) return;
  const own = Object.getOwnPropertyDescriptor(req, 'rawHeaders');
  if (own === undefined || !('value' in own) || !own.configurable) {
    // A getter (http2's compatibility request): tainted now, as read.
    taintRawHeaders(engine, raw, headers);
    return;
  }
  let tainted = false;
  Object.defineProperty(req, 'rawHeaders', {
    configurable: true,
    enumerable: own.enumerable,
    get() {
      if (!tainted) {
        tainted = true;
        taintRawHeaders(engine, raw, headers);
      }
      return raw;
    },
    set(value: unknown) {
      Object.defineProperty(req, 'rawHeaders', {
        value,
        writable: true,
        configurable: true,
        enumerable: own.enumerable,
      });
    },
  });
}

function taintRawHeaders(
  engine: TaintEngine,
  raw: string[],
  headers: Record<string, string | string[] | undefined>,
): void {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const key = name.toLowerCase();
    const value = raw[i + 1] as string;
    const parsed = headers[key];
    raw[i] = taintString(engine, name, 'http.request.header.name', key);
    raw[i + 1] =
      parsed === value && engine.isTainted(parsed)
        ? parsed
        : taintString(engine, value, 'http.request.header', key);
  }
}

/**
 * An own accessor that taints what the framework stores, and what a prototype getter (Express
 * 5's query) returns. Non-enumerable until set so that the request looks unchanged to code
 * that lists its keys.
 */
function defineTaintingAccessor(
  engine: TaintEngine,
  req: ServerRequest,
  property: string,
  origin: Origin,
  guard: (error: unknown) => void,
  objects: RequestObjects | undefined,
): void {
  if (Object.getOwnPropertyDescriptor(req, property)) return;
  let stored: unknown;
  let assigned = false;
  let visible = false;
  // The own keys `stored` had when it was last tainted: frameworks (multer) fill an object
  // after assigning it, so a read taints it again, but only when keys were added since.
  let taintedKeys = -1;
  const taintStored = (value: unknown) => {
    stored = value;
    try {
      stored = taintDeep(engine, value, multipartAware(req, origin), '', objects);
    } catch (error) {
      guard(error);
    }
    taintedKeys = stored !== null && typeof stored === 'object' ? enumerableKeyCount(stored) : -1;
  };
  Object.defineProperty(req, property, {
    configurable: true,
    enumerable: false,
    get(this: object) {
      if (assigned) {
        if (stored !== null && typeof stored === 'object' && enumerableKeyCount(stored) !== taintedKeys)
          taintStored(stored);
        return stored;
      }
      const inherited = Reflect.get(Object.getPrototypeOf(this) ?? {}, property, this);
      if (inherited === undefined || inherited === null) return inherited;
      try {
        return taintDeep(engine, inherited, origin, '', objects);
      } catch (error) {
        guard(error);
        return inherited;
      }
    },
    set(value: unknown) {
      assigned = true;
      taintStored(value);
      if (visible) return;
      visible = true;
      const d = Object.getOwnPropertyDescriptor(req, property);
      if (d && !d.enumerable) Object.defineProperty(req, property, { ...d, enumerable: true });
    },
  });
}
