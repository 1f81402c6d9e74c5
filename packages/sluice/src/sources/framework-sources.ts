/**
 * Sources for frameworks that keep their own request object beside Node's (koa's context and
 * request, fastify's Request): the parsed query, body and route parameters are assigned to
 * it, not to the IncomingMessage that request-sources.ts taints. A property is turned into a
 * tainting accessor on the object it is assigned to, only for a request under analysis.
 */
import type { ServerRequest } from '../channels.js';
import type { Origin, TaintEngine } from '../taint/types.js';
import { enumerableKeyCount, type RequestObjects, taintDeep } from './taint-value.js';

/**
 * True when request-sources.ts tainted `req`, i.e. the request was admitted for analysis.
 * The URL may have been rewritten by the application (fastify's rewriteUrl, koa-mount), the
 * raw header list never is.
 */
export function isAnalysed(engine: TaintEngine, req: unknown): boolean {
  if (req === null || typeof req !== 'object') return false;
  const { url, rawHeaders } = req as Partial<ServerRequest>;
  if (engine.isTainted(url)) return true;
  return Array.isArray(rawHeaders) && rawHeaders.length > 0 && engine.isTainted(rawHeaders[0]);
}

/** A multipart form's fields are named as such; other bodies keep `origin`. */
export function bodyOrigin(req: unknown, origin: Origin): Origin {
  const headers = (req as Partial<ServerRequest> | undefined)?.headers;
  const type = headers?.['content-type'];
  return typeof type === 'string' && type.toLowerCase().startsWith('multipart/')
    ? 'http.request.multipart.parameter'
    : origin;
}

export interface TaintingProperty {
  readonly engine: TaintEngine;
  readonly origin: () => Origin;
  /** False once the instrumentation is disabled: values then pass through untouched. */
  readonly active: () => boolean;
  readonly guard: (error: unknown) => void;
  /** The request's record of the objects parsed from it (the NoSQL analyzer reads it). */
  readonly objects: () => RequestObjects | undefined;
}

/**
 * Makes `owner[property]` an own, enumerable accessor holding `value`: what is assigned is
 * tainted, and an object is tainted again when read if it gained keys since, because body
 * parsers (multer) fill it after assigning it.
 */
export function defineTaintingProperty(
  owner: object,
  property: string,
  value: unknown,
  taint: TaintingProperty,
): void {
  const tainted = (v: unknown): unknown => {
    if (!taint.active() || v === null || v === undefined) return v;
    try {
      return taintDeep(taint.engine, v, taint.origin(), '', taint.objects());
    } catch (error) {
      taint.guard(error);
      return v;
    }
  };
  // As in request-sources.ts: a read taints the object again only when it gained keys.
  let stored: unknown;
  let taintedKeys = -1;
  const store = (v: unknown) => {
    stored = tainted(v);
    taintedKeys = stored !== null && typeof stored === 'object' ? enumerableKeyCount(stored) : -1;
  };
  store(value);
  Object.defineProperty(owner, property, {
    configurable: true,
    enumerable: true,
    get() {
      if (stored !== null && typeof stored === 'object' && enumerableKeyCount(stored) !== taintedKeys)
        store(stored);
      return stored;
    },
    set(next: unknown) {
      store(next);
    },
  });
}

/** Gives `owner` the plain data property it would have had without Sluice. */
export function definePlainProperty(owner: object, property: string, value: unknown): void {
  Object.defineProperty(owner, property, { configurable: true, enumerable: true, writable: true, value });
}
