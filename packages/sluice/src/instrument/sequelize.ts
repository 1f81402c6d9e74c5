/**
 * sequelize: Sequelize#query, a text or `{ query, values }`. The dialect's driver (pg, mysql2)
 * receives the same text later; the SQL analyzer reports a query once per request.
 *
 * `Sequelize.literal(text)` (also `sequelize.literal`) puts its text into the SQL that
 * sequelize's query generator builds for a model query (findAll, update, destroy...); that
 * string building is not rewritten, so the taint of the text would be lost on the way. The
 * generator's methods are wrapped: the tainted texts of the Literal objects in their arguments
 * are located in the SQL they return, which then carries those ranges to Sequelize#query.
 */
import { channel } from '../channels.js';
import { createTainter, type Tainter } from '../propagation/tainter.js';
import { normalise, shift } from '../taint/ranges.js';
import type { Range, TaintEngine } from '../taint/types.js';
import type { Instrumentation } from './instrumentation.js';
import type { ModuleHooks, ModulePatch } from './require-hook.js';
import { Shim } from './shim.js';
import { publishingCall } from './sink-call.js';
import { queryText } from './sql-library.js';

export const SUPPORTED = { module: 'sequelize', versions: '>=5.0.0 <7' } as const;

/** Options are walked this far at most: a query's options are small, a cycle is not. */
const MAX_NODES = 500;
/** The query generator methods that return a whole statement. */
const GENERATOR_METHODS = [
  'selectQuery',
  'insertQuery',
  'bulkInsertQuery',
  'updateQuery',
  'arithmeticQuery',
  'deleteQuery',
  'upsertQuery',
];
/** The abstract generator and each dialect's, which overrides some of the methods. */
const GENERATOR_FILES = [
  'abstract',
  'postgres',
  'mysql',
  'mariadb',
  'sqlite',
  'mssql',
  'db2',
  'snowflake',
  'oracle',
].map((dialect) => `lib/dialects/${dialect}/query-generator.js`);

interface SequelizeClasses {
  readonly method: abstract new (...args: never[]) => unknown;
  readonly literal: abstract new (...args: never[]) => unknown;
}

class SequelizeInstrumentation implements Instrumentation {
  readonly name = 'sequelize';
  readonly #shim = new Shim('sql:sequelize');
  readonly #query = channel('sluice:sql.query');
  /** The utils classes of each loaded copy of sequelize. */
  readonly #classes = new Set<SequelizeClasses>();
  #patches: ModulePatch[] = [];

  constructor(
    private readonly engine: () => TaintEngine | undefined,
    private readonly hooks: ModuleHooks,
    private readonly guard: (error: unknown) => void,
  ) {}

  enable(): void {
    if (this.#patches.length > 0) return;
    this.#patches = [
      {
        package: 'sequelize',
        file: 'lib/utils.js',
        versions: SUPPORTED.versions,
        patch: (exports) => {
          const { SequelizeMethod, Literal } = exports as Record<string, unknown>;
          if (typeof SequelizeMethod === 'function' && typeof Literal === 'function')
            this.#classes.add({
              method: SequelizeMethod as SequelizeClasses['method'],
              literal: Literal as SequelizeClasses['literal'],
            });
        },
      },
      {
        package: 'sequelize',
        file: 'lib/sequelize.js',
        versions: SUPPORTED.versions,
        patch: (exports) => {
          const proto = (exports as { prototype?: unknown }).prototype;
          if (typeof exports !== 'function' || typeof proto !== 'object' || proto === null) return;
          this.#shim.wrap(
            proto,
            'query',
            publishingCall(this.#query, this.guard, (args) => ({
              query: queryText(args[0], ['query']),
              library: 'sequelize',
            })),
          );
        },
      },
      ...GENERATOR_FILES.map((file) => ({
        package: 'sequelize',
        file,
        versions: SUPPORTED.versions,
        patch: (exports: unknown) => this.#wrapGenerator(exports),
      })),
    ];
    for (const patch of this.#patches) this.hooks.add(patch);
  }

  disable(): void {
    for (const patch of this.#patches) this.hooks.remove(patch);
    this.#patches = [];
    this.#shim.restore();
  }

  #wrapGenerator(generator: unknown): void {
    const proto = (generator as { prototype?: unknown }).prototype;
    if (typeof generator !== 'function' || typeof proto !== 'object' || proto === null) return;
    for (const method of GENERATOR_METHODS) {
      if (!Object.hasOwn(proto, method)) continue;
      this.#shim.wrap(proto, method, (original) => {
        const self = this;
        return function (this: unknown, ...args: unknown[]): unknown {
          const texts = self.#literalTextsGuarded(args);
          const sql = Reflect.apply(original, this, args);
          return texts === undefined ? sql : self.#withLiterals(sql, texts);
        };
      });
    }
  }

  #literalTextsGuarded(args: unknown[]): { t: Tainter; texts: string[] } | undefined {
    const engine = this.engine();
    if (engine === undefined || this.#classes.size === 0) return undefined;
    try {
      const t = createTainter(engine);
      if (!t.hasTaint()) return undefined;
      const texts = this.#literalTexts(t, args);
      return texts.length === 0 ? undefined : { t, texts };
    } catch (error) {
      this.guard(error);
      return undefined;
    }
  }

  /** `sql` carrying the ranges of the tainted literal texts found in it. */
  #withLiterals(sql: unknown, { t, texts }: { t: Tainter; texts: string[] }): unknown {
    if (typeof sql !== 'string') return sql;
    try {
      const ranges: Range[] = [...(t.ranges(sql) ?? [])];
      for (const text of texts) {
        const own = t.ranges(text) as readonly Range[];
        for (let at = sql.indexOf(text); at >= 0; at = sql.indexOf(text, at + text.length))
          ranges.push(...shift(own, at));
      }
      return t.make(
        sql,
        normalise(
          ranges.sort((a, b) => a.start - b.start),
          sql.length,
        ),
      );
    } catch (error) {
      this.guard(error);
      return sql;
    }
  }

  /** Tainted texts of the Literal objects in `options` (plain objects, arrays, sequelize methods). */
  #literalTexts(t: Tainter, options: unknown): string[] {
    const texts: string[] = [];
    const seen = new Set<object>();
    const pending: unknown[] = [options];
    while (pending.length > 0 && seen.size < MAX_NODES) {
      const node = pending.pop();
      if (typeof node !== 'object' || node === null || seen.has(node)) continue;
      seen.add(node);
      const method = this.#isSequelizeMethod(node);
      if (!method && !Array.isArray(node) && !isPlainObject(node)) continue;
      if (method && this.#isLiteral(node)) {
        const val = (node as { val?: unknown }).val;
        if (typeof val === 'string' && t.ranges(val) !== undefined) texts.push(val);
        continue;
      }
      for (const key of Reflect.ownKeys(node)) {
        const descriptor = Object.getOwnPropertyDescriptor(node, key);
        // Values only: a getter is the application's code and is not run again.
        if (descriptor !== undefined && 'value' in descriptor) pending.push(descriptor.value);
      }
    }
    return texts;
  }

  #isSequelizeMethod(value: object): boolean {
    for (const classes of this.#classes) if (value instanceof classes.method) return true;
    return false;
  }

  #isLiteral(value: object): boolean {
    for (const classes of this.#classes) if (value instanceof classes.literal) return true;
    return false;
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function sequelizeInstrumentation(
  engine: () => TaintEngine | undefined,
  hooks: ModuleHooks,
  guard: (error: unknown) => void,
): Instrumentation {
  return new SequelizeInstrumentation(engine, hooks, guard);
}
