/**
 * mongoose: the Query methods that take conditions (Model.find, findOne, findById,
 * countDocuments, deleteOne, updateOne... build a Query and call these) and the Aggregate
 * stages (Model.aggregate, Aggregate#match) publish on `sluice:nosql.mongodb.query` as the
 * application calls them: the query mongoose later sends is a merged copy that no longer is
 * the request's object. A query that mongoose will sanitise (the `sanitizeFilter` option of
 * the connection, the mongoose instance or the query, as set when the condition is added)
 * is not published: sanitizeFilter wraps operator objects in `$eq` and rejects `$where` and
 * `$expr`.
 */
import { channel, type NosqlQueryMessage } from '../channels.js';
import type { Instrumentation } from './instrumentation.js';
import type { ModuleHooks, ModulePatch } from './require-hook.js';
import { Shim } from './shim.js';
import { publishingCall } from './sink-call.js';

export const SUPPORTED = { module: 'mongoose', versions: '>=6.0.0 <10' } as const;

/** Query methods whose argument at this index is a filter. */
const FILTER_ARGUMENT: Readonly<Record<string, number>> = {
  find: 0,
  findOne: 0,
  countDocuments: 0,
  deleteOne: 0,
  deleteMany: 0,
  updateOne: 0,
  updateMany: 0,
  replaceOne: 0,
  findOneAndUpdate: 0,
  findOneAndDelete: 0,
  findOneAndReplace: 0,
  distinct: 1,
};

interface QueryLike {
  _path?: unknown;
  _mongooseOptions?: { sanitizeFilter?: unknown };
  model?: {
    db?: { config?: { sanitizeFilter?: unknown }; options?: { sanitizeFilter?: unknown } };
    base?: { options?: { sanitizeFilter?: unknown } };
  };
}

/** The option `Query#_castConditions` reads, in its order of precedence. */
function sanitizesFilter(query: QueryLike): boolean {
  const model = query.model;
  return Boolean(
    model?.db?.config?.sanitizeFilter ??
      model?.db?.options?.sanitizeFilter ??
      model?.base?.options?.sanitizeFilter ??
      query._mongooseOptions?.sanitizeFilter,
  );
}

/** The conditions a Query method call adds, as one filter; undefined when it adds none. */
function conditionsOf(method: string, args: unknown[], query: QueryLike): unknown {
  const index = FILTER_ARGUMENT[method];
  if (index !== undefined) return args[index];
  switch (method) {
    case 'where':
      // where(object) merges it; where(path, value) sets one condition.
      if (typeof args[0] === 'string') return args.length >= 2 ? { [args[0]]: args[1] } : undefined;
      return args[0];
    case 'equals':
      return typeof query._path === 'string' ? { [query._path]: args[0] } : undefined;
    case 'and':
    case 'or':
    case 'nor':
      return { [`$${method}`]: args[0] };
    case '$where':
      return { $where: args[0] };
    default:
      return undefined;
  }
}

const CONDITION_METHODS = [...Object.keys(FILTER_ARGUMENT), 'where', 'equals', 'and', 'or', 'nor', '$where'];

export class MongooseInstrumentation implements Instrumentation {
  readonly name = 'mongoose';
  readonly #shim = new Shim('mongoose');
  readonly #query = channel('sluice:nosql.mongodb.query');
  #patches: ModulePatch[] = [];

  constructor(
    private readonly hooks: ModuleHooks,
    private readonly guard: (error: unknown) => void,
  ) {}

  enable(): void {
    if (this.#patches.length > 0) return;
    const versions = SUPPORTED.versions;
    this.#patches = [
      { package: 'mongoose', file: 'lib/query.js', versions, patch: (exports) => this.#wrapQuery(exports) },
      {
        package: 'mongoose',
        file: 'lib/aggregate.js',
        versions,
        patch: (exports) => this.#wrapAggregate(exports),
      },
      { package: 'mongoose', file: 'lib/model.js', versions, patch: (exports) => this.#wrapModel(exports) },
    ];
    for (const patch of this.#patches) this.hooks.add(patch);
  }

  disable(): void {
    for (const patch of this.#patches) this.hooks.remove(patch);
    this.#patches = [];
    this.#shim.restore();
  }

  #wrapQuery(query: unknown): void {
    const proto = prototypeOf(query);
    if (!proto) return;
    for (const method of CONDITION_METHODS) {
      this.#shim.wrap(
        proto,
        method,
        publishingCall(this.#query, this.guard, (args, self): NosqlQueryMessage | undefined => {
          const q = (self ?? {}) as QueryLike;
          const filter = conditionsOf(method, args, q);
          if (filter === undefined || filter === null || sanitizesFilter(q)) return undefined;
          return { library: 'mongoose', api: `Query.${method}`, filter };
        }),
      );
    }
  }

  /** Model.updateOne/updateMany/replaceOne hand the Query a deep copy of their filter. */
  #wrapModel(model: unknown): void {
    if (typeof model !== 'function') return;
    for (const method of ['updateOne', 'updateMany', 'replaceOne']) {
      this.#shim.wrap(
        model,
        method,
        publishingCall(this.#query, this.guard, (args, self): NosqlQueryMessage | undefined => {
          const filter = args[0];
          const options = (args[2] ?? {}) as { sanitizeFilter?: unknown };
          const query: QueryLike = { model: self as QueryLike['model'], _mongooseOptions: options };
          if (filter === undefined || filter === null || sanitizesFilter(query)) return undefined;
          return { library: 'mongoose', api: `Model.${method}`, filter };
        }),
      );
    }
  }

  #wrapAggregate(aggregate: unknown): void {
    const proto = prototypeOf(aggregate);
    if (!proto) return;
    // The constructor (Model.aggregate) and match() add their stages through append().
    this.#shim.wrap(
      proto,
      'append',
      publishingCall(this.#query, this.guard, (args) => ({
        library: 'mongoose',
        api: 'Aggregate.append',
        pipeline: args,
      })),
    );
  }
}

function prototypeOf(cls: unknown): object | undefined {
  const proto = (cls as { prototype?: unknown } | undefined)?.prototype;
  return typeof cls === 'function' && typeof proto === 'object' && proto !== null ? proto : undefined;
}
