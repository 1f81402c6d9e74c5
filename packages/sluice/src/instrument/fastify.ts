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
 *
 * @fastify/multipart's fields are parsed by @fastify/busboy, which gets the request's headers:
 * a field it emits for a request whose Content-Type is tainted is tainted, named by the field,
 * whether the application reads it from `request.body` (attachFieldsToBody), `request.parts()`
 * or a file part's `fields`.
 */
import {
  bodyOrigin,
  definePlainProperty,
  defineTaintingProperty,
  isAnalysed,
} from '../sources/framework-sources.js';
import { type RequestObjects, taintString } from '../sources/taint-value.js';
import type { Origin, TaintEngine } from '../taint/types.js';
import type { Instrumentation } from './instrumentation.js';
import type { ModuleHooks, ModulePatch } from './require-hook.js';
import { Shim } from './shim.js';

export const SUPPORTED = [
  { module: 'fastify', versions: '>=4.0.0 <6' },
  { module: '@fastify/busboy', versions: '>=3.0.0 <4' },
] as const;

type Guard = (error: unknown) => void;

/** Request decorators declared with a null value are listed in the constructor's `props`. */
interface RequestConstructor {
  readonly props?: ReadonlyArray<{ readonly key?: unknown }>;
}

export class FastifyInstrumentation implements Instrumentation {
  readonly name = 'fastify';
  readonly #undo: Array<() => void> = [];
  readonly #shim = new Shim('fastify');
  /** Busboy parsers of analysed requests, and the origin of their fields. */
  readonly #parsers = new WeakMap<object, Origin>();
  #patches: ModulePatch[] = [];
  #active = false;

  constructor(
    private readonly engine: () => TaintEngine | undefined,
    private readonly hooks: ModuleHooks,
    private readonly guard: Guard,
    private readonly requestObjects: () => RequestObjects | undefined = () => undefined,
  ) {}

  enable(): void {
    if (this.#active) return;
    this.#active = true;
    const [fastify, busboy] = SUPPORTED;
    this.#patches = [
      {
        package: fastify.module,
        file: 'lib/request.js',
        versions: fastify.versions,
        patch: (Request) => {
          const proto = (Request as { prototype?: unknown }).prototype;
          if (typeof Request === 'function' && proto !== null && typeof proto === 'object')
            this.#onRaw(proto);
        },
      },
      {
        package: busboy.module,
        file: 'index.js',
        versions: busboy.versions,
        patch: (Busboy) => {
          const proto = (Busboy as { prototype?: unknown }).prototype;
          if (proto !== null && typeof proto === 'object') this.#fields(proto);
        },
      },
    ];
    for (const patch of this.#patches) this.hooks.add(patch);
  }

  disable(): void {
    this.#active = false;
    for (const patch of this.#patches) this.hooks.remove(patch);
    this.#patches = [];
    this.#shim.restore();
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

  /**
   * Busboy reads the request's headers when it picks its parser (getParserByHeaders), then
   * emits each field as ('field', name, value, ...).
   */
  #fields(proto: object): void {
    const self = this;
    this.#shim.wrap(proto, 'getParserByHeaders', (original) => {
      return function getParserByHeaders(this: object, ...args: unknown[]) {
        try {
          const type = (args[0] as Record<string, unknown> | null | undefined)?.['content-type'];
          const engine = self.#active ? self.engine() : undefined;
          if (engine?.isTainted(type))
            self.#parsers.set(this, bodyOrigin({ headers: { 'content-type': type } }, 'http.request.body'));
        } catch (error) {
          self.guard(error);
        }
        return Reflect.apply(original, this, args);
      };
    });
    this.#shim.wrap(proto, 'emit', (original) => {
      return function emit(this: object, ...args: unknown[]) {
        if (args[0] === 'field' && typeof args[1] === 'string' && typeof args[2] === 'string') {
          const origin = self.#parsers.get(this);
          const engine = origin && self.#active ? self.engine() : undefined;
          try {
            if (origin && engine) args[2] = taintString(engine, args[2], origin, args[1]);
          } catch (error) {
            self.guard(error);
          }
        }
        return Reflect.apply(original, this, args);
      };
    });
  }

  #taintSources(engine: TaintEngine, request: object, req: unknown): void {
    const taint = (origin: () => Origin) => ({
      engine,
      origin,
      active: () => this.#active,
      guard: this.guard,
      objects: this.requestObjects,
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
    defineTaintingProperty(
      request,
      'body',
      own.body,
      taint(() => bodyOrigin(req, 'http.request.body')),
    );
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
