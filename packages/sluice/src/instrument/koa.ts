/**
 * koa 2 and 3: the sources koa and its middleware keep on the context rather than on Node's
 * request. Route parameters (`ctx.params`, `ctx.request.params`, set by @koa/router and
 * koa-router) and parsed bodies (`ctx.request.body`, set by @koa/bodyparser, koa-bodyparser,
 * koa-body, @koa/multer) are tainted when assigned; `ctx.query`/`ctx.request.query`, which koa
 * parses from the URL on first access (and again when the query string changes), is tainted
 * as it is returned; `ctx.cookies.get(name)` (the `cookies` package) returns a tainted value
 * when the Cookie header is tainted. Headers and the URL are Node's request's, tainted by
 * request-sources.ts. The hooks are on koa's prototypes (lib/context.js, lib/request.js),
 * which koa's entry requires for CommonJS and ES module importers alike.
 */
import {
  bodyOrigin,
  definePlainProperty,
  defineTaintingProperty,
  isAnalysed,
} from '../sources/framework-sources.js';
import { type RequestObjects, taintDeep, taintString } from '../sources/taint-value.js';
import type { Origin, TaintEngine } from '../taint/types.js';
import type { Instrumentation } from './instrumentation.js';
import type { ModuleHooks, ModulePatch } from './require-hook.js';
import { Shim } from './shim.js';

export const SUPPORTED = [
  { module: 'koa', versions: '>=2.0.0 <4' },
  { module: 'cookies', versions: '>=0.7.0 <1' },
] as const;

type Guard = (error: unknown) => void;

/** What koa's context and request objects carry that the hooks read. */
interface KoaOwner {
  readonly req?: unknown;
}

export class KoaInstrumentation implements Instrumentation {
  readonly name = 'koa';
  readonly #shim = new Shim('koa');
  readonly #undo: Array<() => void> = [];
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
    const [koa, cookies] = SUPPORTED;
    this.#patches = [
      {
        package: koa.module,
        file: 'lib/context.js',
        versions: koa.versions,
        patch: (proto) => this.#assigned(proto as object, 'params', () => 'http.request.path.parameter'),
      },
      {
        package: koa.module,
        file: 'lib/request.js',
        versions: koa.versions,
        patch: (proto) => {
          this.#assigned(proto as object, 'params', () => 'http.request.path.parameter');
          this.#assigned(proto as object, 'body', (owner) => bodyOrigin(owner.req, 'http.request.body'));
          this.#parsedQuery(proto as object);
        },
      },
      {
        package: cookies.module,
        file: 'index.js',
        versions: cookies.versions,
        patch: (Cookies) => this.#cookieValues(Cookies as { prototype?: object }),
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

  /**
   * A prototype accessor that turns the first assignment into an own property of the context
   * or request: a tainting one for an analysed request, a plain one otherwise.
   */
  #assigned(proto: object, property: string, origin: (owner: KoaOwner) => Origin): void {
    if (Object.getOwnPropertyDescriptor(proto, property)) return;
    const self = this;
    Object.defineProperty(proto, property, {
      configurable: true,
      enumerable: false,
      get: () => undefined,
      set(this: KoaOwner, value: unknown) {
        const engine = self.#active ? self.engine() : undefined;
        let analysed = false;
        try {
          analysed = engine !== undefined && isAnalysed(engine, this.req);
        } catch (error) {
          self.guard(error);
        }
        if (!engine || !analysed) return definePlainProperty(this, property, value);
        defineTaintingProperty(this, property, value, {
          engine,
          origin: () => origin(this),
          active: () => self.#active,
          guard: self.guard,
          objects: self.requestObjects,
        });
      },
    });
    this.#undo.push(() => delete (proto as Record<string, unknown>)[property]);
  }

  /** koa parses the query string into an object cached per query string: taint it in place. */
  #parsedQuery(proto: object): void {
    const descriptor = Object.getOwnPropertyDescriptor(proto, 'query');
    const get = descriptor?.get;
    if (!descriptor || !get || !descriptor.configurable) return;
    const self = this;
    Object.defineProperty(proto, 'query', {
      ...descriptor,
      get(this: KoaOwner) {
        const query: unknown = Reflect.apply(get, this, []);
        const engine = self.#active ? self.engine() : undefined;
        if (!engine || query === null || typeof query !== 'object') return query;
        try {
          if (isAnalysed(engine, this.req))
            taintDeep(engine, query, 'http.request.parameter', '', self.requestObjects());
        } catch (error) {
          self.guard(error);
        }
        return query;
      },
    });
    this.#undo.push(() => Object.defineProperty(proto, 'query', descriptor));
  }

  /** cookies' get matches the value out of the Cookie header with a regular expression. */
  #cookieValues(Cookies: { prototype?: object }): void {
    if (!Cookies.prototype) return;
    const self = this;
    this.#shim.wrap(Cookies.prototype, 'get', (original) => {
      return function get(this: { request?: { headers?: Record<string, unknown> } }, ...args: unknown[]) {
        const value = Reflect.apply(original, this, args);
        const engine = self.engine();
        if (!engine || typeof value !== 'string' || typeof args[0] !== 'string') return value;
        try {
          if (engine.isTainted(this.request?.headers?.cookie))
            return taintString(engine, value, 'http.request.cookie.value', args[0]);
        } catch (error) {
          self.guard(error);
        }
        return value;
      };
    });
  }
}
