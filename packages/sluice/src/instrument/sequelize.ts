/**
 * sequelize: Sequelize#query, a text or `{ query, values }`. The dialect's driver (pg, mysql2)
 * receives the same text later; the SQL analyzer reports a query once per request.
 *
 * `Sequelize.literal(text)` (also `sequelize.literal`) puts its text into the SQL that
 * sequelize builds for a model query; sequelize's own string building is not rewritten, so
 * the taint of the text is lost on the way. The query's options (which sequelize passes down
 * to Sequelize#query) still hold the Literal objects: their tainted texts are located in the
 * query text, and the query is published carrying their ranges.
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

export const SUPPORTED = { module: 'sequelize', versions: '>=6.0.0 <7' } as const;

/** Options are walked this far at most: a query's options are small, a cycle is not. */
const MAX_NODES = 500;

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
              query: this.#withLiterals(queryText(args[0], ['query']), args[1]),
              library: 'sequelize',
            })),
          );
        },
      },
    ];
    for (const patch of this.#patches) this.hooks.add(patch);
  }

  disable(): void {
    for (const patch of this.#patches) this.hooks.remove(patch);
    this.#patches = [];
    this.#shim.restore();
  }

  /** `query` carrying the ranges of the tainted literal texts found in `options` and in it. */
  #withLiterals(query: unknown, options: unknown): unknown {
    const engine = this.engine();
    if (engine === undefined || typeof query !== 'string' || this.#classes.size === 0) return query;
    const t = createTainter(engine);
    const texts = this.#literalTexts(t, options);
    if (texts.length === 0) return query;
    const ranges: Range[] = [...(t.ranges(query) ?? [])];
    for (const text of texts) {
      const own = t.ranges(text) as readonly Range[];
      for (let at = query.indexOf(text); at >= 0; at = query.indexOf(text, at + text.length))
        ranges.push(...shift(own, at));
    }
    return t.make(
      query,
      normalise(
        ranges.sort((a, b) => a.start - b.start),
        query.length,
      ),
    );
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
