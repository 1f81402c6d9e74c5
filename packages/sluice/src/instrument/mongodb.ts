/**
 * mongodb (the official driver): Collection methods that take a query filter or an
 * aggregation pipeline publish it on `sluice:nosql.mongodb.query` before the driver does
 * anything else, so a finding needs no server. Methods that call one another (findOne →
 * find, countDocuments → aggregate) publish the same objects twice; the analyzer reports
 * each tainted object once per request.
 */
import { channel, type NosqlQueryMessage } from '../channels.js';
import type { Instrumentation } from './instrumentation.js';
import type { ModuleHooks, ModulePatch } from './require-hook.js';
import { Shim } from './shim.js';
import { publishingCall } from './sink-call.js';

// lib/collection.js has exported the Collection class since 4.0 (3.x's methods take callbacks;
// not hooked).
export const SUPPORTED = { module: 'mongodb', versions: '>=4.0.0 <8' } as const;

/** Which argument carries the query, per Collection method. */
const QUERY_ARGUMENT: Readonly<Record<string, { index: number; kind: 'filter' | 'pipeline' }>> = {
  find: { index: 0, kind: 'filter' },
  findOne: { index: 0, kind: 'filter' },
  countDocuments: { index: 0, kind: 'filter' },
  count: { index: 0, kind: 'filter' },
  deleteOne: { index: 0, kind: 'filter' },
  deleteMany: { index: 0, kind: 'filter' },
  updateOne: { index: 0, kind: 'filter' },
  updateMany: { index: 0, kind: 'filter' },
  replaceOne: { index: 0, kind: 'filter' },
  findOneAndUpdate: { index: 0, kind: 'filter' },
  findOneAndDelete: { index: 0, kind: 'filter' },
  findOneAndReplace: { index: 0, kind: 'filter' },
  distinct: { index: 1, kind: 'filter' },
  aggregate: { index: 0, kind: 'pipeline' },
  watch: { index: 0, kind: 'pipeline' },
};

/**
 * Calls `use` with `exports[name]` now, or when the module assigns it: the driver's files
 * require one another in cycles, so the module-load hook can see lib/collection.js while it
 * is still being evaluated (`exports.Collection = void 0` so far).
 */
function whenExported(exports: unknown, name: string, use: (value: unknown) => void): void {
  if (exports === null || typeof exports !== 'object') return;
  const target = exports as Record<string, unknown>;
  if (typeof target[name] === 'function') {
    use(target[name]);
    return;
  }
  const descriptor = Object.getOwnPropertyDescriptor(target, name);
  if (descriptor && (!descriptor.configurable || !('value' in descriptor))) return;
  let value = descriptor?.value;
  Object.defineProperty(target, name, {
    configurable: true,
    enumerable: descriptor?.enumerable ?? true,
    get: () => value,
    set: (next: unknown) => {
      value = next;
      // Back to a plain data property once the class is there.
      Object.defineProperty(target, name, {
        configurable: true,
        enumerable: true,
        writable: true,
        value: next,
      });
      if (typeof next === 'function') use(next);
    },
  });
}

export class MongodbInstrumentation implements Instrumentation {
  readonly name = 'mongodb';
  readonly #shim = new Shim('mongodb');
  readonly #query = channel('sluice:nosql.mongodb.query');
  #patch: ModulePatch | undefined;

  constructor(
    private readonly hooks: ModuleHooks,
    private readonly guard: (error: unknown) => void,
  ) {}

  enable(): void {
    if (this.#patch) return;
    this.#patch = {
      package: 'mongodb',
      file: 'lib/collection.js',
      versions: SUPPORTED.versions,
      patch: (exports) => whenExported(exports, 'Collection', (collection) => this.#wrap(collection)),
    };
    this.hooks.add(this.#patch);
  }

  disable(): void {
    if (this.#patch) this.hooks.remove(this.#patch);
    this.#patch = undefined;
    this.#shim.restore();
  }

  #wrap(collection: unknown): void {
    const proto = (collection as { prototype?: unknown } | undefined)?.prototype;
    if (typeof collection !== 'function' || typeof proto !== 'object' || proto === null) return;
    for (const [method, { index, kind }] of Object.entries(QUERY_ARGUMENT)) {
      this.#shim.wrap(
        proto,
        method,
        publishingCall(this.#query, this.guard, (args): NosqlQueryMessage => {
          const api = `Collection.${method}`;
          return kind === 'filter'
            ? { library: 'mongodb', api, filter: args[index] }
            : { library: 'mongodb', api, pipeline: args[index] };
        }),
      );
    }
  }
}
