/**
 * fastify 4 and 5: the sources fastify keeps on its own Request rather than on Node's
 * request. Its constructor assigns `params` (find-my-way's route parameters), `raw` (Node's
 * request), `query` (parsed by fastify's query string parser) and `body` (later set by the
 * content-type parser: JSON, @fastify/formbody, @fastify/multipart with attachFieldsToBody),
 * then the request decorators (`cookies`, declared by @fastify/cookie). An accessor for `raw`
 * on the base Request.prototype sees each request as it is built: for an analysed request it
 * turns those properties into tainting ones (`cookies` only where the decorator is declared,
 * so that decorator checks answer as before); otherwise `raw` becomes the plain property it
 * always was. Headers and the URL are Node's request's, tainted by request-sources.ts.
 * lib/request.js is required by fastify's entry for CommonJS and ES module importers alike.
 */
import {
  bodyOrigin,
  definePlainProperty,
  defineTaintingProperty,
  isAnalysed,
} from '../sources/framework-sources.js';
import { taintString } from '../sources/taint-value.js';
import type { Origin, TaintEngine } from '../taint/types.js';
import type { Instrumentation } from './instrumentation.js';
import type { ModuleHooks, ModulePatch } from './require-hook.js';

export const SUPPORTED = { module: 'fastify', versions: '>=4.0.0 <6' } as const;

type Guard = (error: unknown) => void;

/** Request decorators declared with a null value are listed in the constructor's `props`. */
interface RequestConstructor {
  readonly props?: ReadonlyArray<{ readonly key?: unknown }>;
}

/** @fastify/multipart's field part: `{ type: 'field', fieldname, value, fields, ... }`. */
function isFieldPart(value: unknown): value is { fieldname: string; value: unknown } {
  const part = value as { type?: unknown; fieldname?: unknown } | null;
  return (
    part !== null && typeof part === 'object' && part.type === 'field' && typeof part.fieldname === 'string'
  );
}

/**
 * A body of @fastify/multipart field parts (attachFieldsToBody): each value is named by its
 * field, as the form sent it, rather than by its path through the part object (`name.value`).
 */
function multipartFields(engine: TaintEngine, body: unknown): void {
  if (body === null || typeof body !== 'object') return;
  for (const entry of Object.values(body)) {
    for (const part of Array.isArray(entry) ? entry : [entry]) {
      if (isFieldPart(part) && typeof part.value === 'string')
        part.value = taintString(engine, part.value, 'http.request.multipart.parameter', part.fieldname);
    }
  }
}

export class FastifyInstrumentation implements Instrumentation {
  readonly name = 'fastify';
  readonly #undo: Array<() => void> = [];
  #patch: ModulePatch | undefined;
  #active = false;

  constructor(
    private readonly engine: () => TaintEngine | undefined,
    private readonly hooks: ModuleHooks,
    private readonly guard: Guard,
  ) {}

  enable(): void {
    if (this.#patch) return;
    this.#active = true;
    this.#patch = {
      package: SUPPORTED.module,
      file: 'lib/request.js',
      versions: SUPPORTED.versions,
      patch: (Request) => {
        const proto = (Request as { prototype?: unknown }).prototype;
        if (typeof Request === 'function' && proto !== null && typeof proto === 'object') this.#onRaw(proto);
      },
    };
    this.hooks.add(this.#patch);
  }

  disable(): void {
    this.#active = false;
    if (this.#patch) this.hooks.remove(this.#patch);
    this.#patch = undefined;
    while (this.#undo.length > 0) this.#undo.pop()?.();
  }

  #onRaw(proto: object): void {
    if (Object.getOwnPropertyDescriptor(proto, 'raw')) return;
    const self = this;
    Object.defineProperty(proto, 'raw', {
      configurable: true,
      enumerable: false,
      get: () => undefined,
      set(this: object, req: unknown) {
        definePlainProperty(this, 'raw', req);
        const engine = self.#active ? self.engine() : undefined;
        if (!engine) return;
        try {
          if (isAnalysed(engine, req)) self.#taintSources(engine, this, req);
        } catch (error) {
          self.guard(error);
        }
      },
    });
    this.#undo.push(() => delete (proto as Record<string, unknown>).raw);
  }

  #taintSources(engine: TaintEngine, request: object, req: unknown): void {
    const taint = (origin: () => Origin) => ({
      engine,
      origin,
      active: () => this.#active,
      guard: this.guard,
    });
    const own = request as Record<string, unknown>;
    defineTaintingProperty(
      request,
      'params',
      own.params,
      taint(() => 'http.request.path.parameter'),
    );
    defineTaintingProperty(
      request,
      'query',
      own.query,
      taint(() => 'http.request.parameter'),
    );
    defineTaintingProperty(request, 'body', own.body, {
      ...taint(() => bodyOrigin(req, 'http.request.body')),
      named: (body) => multipartFields(engine, body),
    });
    const props = (request.constructor as RequestConstructor | undefined)?.props;
    if (Array.isArray(props) && props.some((p) => p?.key === 'cookies'))
      defineTaintingProperty(
        request,
        'cookies',
        own.cookies,
        taint(() => 'http.request.cookie.value'),
      );
  }
}
