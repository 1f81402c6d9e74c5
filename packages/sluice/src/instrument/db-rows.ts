/**
 * Stored-injection sources: the first rows a query returns inside an analysed request have
 * their string column values tainted with origin `sql.row.value`, named `<row>.<column>` as
 * Datadog's tracer names them (`0.name`). Data read back from the database was written by
 * someone, possibly an attacker in an earlier request; building a query, code or a template
 * from it is a second-order injection.
 *
 * Only SQL_INJECTION, CODE_INJECTION and TEMPLATE_INJECTION are reported for these ranges (as
 * Datadog does): every other taint-based type's secure mark is set on them when they are
 * created, so analyzers need no special case and the marks travel with the text through
 * propagation.
 *
 * Results are taken where the driver hands them to the application, in the request's context
 * captured when the query was issued: pg Client#query and pg-pool Pool#query (promise and
 * callback), mysql2 Connection and Pool #query/#execute (callback; mysql2/promise calls these
 * with its own callback), and Sequelize#query (its finders go through it). The first
 * `rowsToTaint` rows of each result are tainted; 0 turns the whole thing off.
 */
import { AsyncResource } from 'node:async_hooks';
import type { Range, TaintEngine } from '../taint/types.js';
import { ALL_MARKS, marksFor } from '../vulnerability-types.js';
import type { Instrumentation } from './instrumentation.js';
import type { ModuleHooks, ModulePatch } from './require-hook.js';
import { Shim } from './shim.js';

export const SUPPORTED = [
  { module: 'pg', versions: '>=7.0.0 <9' },
  { module: 'pg-pool', versions: '>=2.0.0 <4' },
  { module: 'mysql2', versions: '>=2.0.0 <4' },
  { module: 'sequelize', versions: '>=6.0.0 <7' },
] as const;

/** The marks a stored value's range is born with: safe for everything but these three. */
export const SQL_ROW_MARKS = ALL_MARKS & ~marksFor(['SQL_INJECTION', 'CODE_INJECTION', 'TEMPLATE_INJECTION']);

const MAX_DEPTH = 8;
const MAX_STRINGS_PER_RESULT = 2000;

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** A callback we already wrapped (a pool passing the application's callback to a connection). */
const ROWS_CALLBACK = Symbol('sluice.dbRows.callback');

export interface DbRowsOptions {
  /** Rows tainted per result; 0 disables. */
  readonly rowsToTaint: number;
  /** The analysed request running now, if any (tainting happens only inside one). */
  readonly inRequest: () => boolean;
}

/** Where a driver keeps the rows of the result it delivers. */
type RowsOf = (delivered: unknown, extra: readonly unknown[]) => RowSet[];

interface RowSet {
  readonly rows: unknown[];
  /** Column names by position, for rows delivered as arrays. */
  readonly columns?: readonly string[] | undefined;
}

function columnNames(fields: unknown): string[] | undefined {
  if (!Array.isArray(fields)) return undefined;
  return fields.map((f, i) => {
    const name = (f as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? name : String(i);
  });
}

/** pg: a Result `{ rows, fields }`, or an array of them for several statements. */
const pgRows: RowsOf = (delivered) => {
  const results = Array.isArray(delivered) ? delivered : [delivered];
  const sets: RowSet[] = [];
  for (const r of results) {
    const rows = (r as { rows?: unknown } | null)?.rows;
    if (Array.isArray(rows)) sets.push({ rows, columns: columnNames((r as { fields?: unknown }).fields) });
  }
  return sets;
};

/** mysql2: callback `(err, rows, fields)`; rows of a SELECT are an array (arrays of arrays for several). */
const mysql2Rows: RowsOf = (delivered, extra) => {
  if (!Array.isArray(delivered)) return [];
  const fields = extra[0];
  // Several statements: one array of rows per statement, with one array of fields each.
  if (Array.isArray(fields) && fields.length > 0 && (Array.isArray(fields[0]) || fields[0] === undefined)) {
    return delivered.flatMap((rows, i) =>
      Array.isArray(rows) ? [{ rows, columns: columnNames(fields[i]) }] : [],
    );
  }
  return [{ rows: delivered, columns: columnNames(fields) }];
};

/** sequelize: model instances (their `dataValues`), rows, or a raw `[rows, metadata]` pair. */
const sequelizeRows: RowsOf = (delivered) => {
  if (!Array.isArray(delivered)) {
    const values = (delivered as { dataValues?: unknown } | null)?.dataValues;
    return values && typeof values === 'object' ? [{ rows: [values] }] : [];
  }
  const first: unknown = delivered[0];
  if (delivered.length === 2 && Array.isArray(first)) return [{ rows: first }];
  return [{ rows: delivered.map((r) => (r as { dataValues?: unknown } | null)?.dataValues ?? r) }];
};

export class DbRowsInstrumentation implements Instrumentation {
  readonly name = 'db-rows';
  readonly #shim = new Shim('db-rows');
  #patches: ModulePatch[] = [];

  constructor(
    private readonly engine: () => TaintEngine | undefined,
    private readonly options: DbRowsOptions,
    private readonly hooks: ModuleHooks,
    private readonly guard: (error: unknown) => void,
  ) {}

  enable(): void {
    if (this.#patches.length > 0 || this.options.rowsToTaint <= 0) return;
    const methods = (
      file: string,
      names: readonly string[],
      rowsOf: RowsOf,
      pkg: string,
      versions: string,
    ) => ({
      package: pkg,
      file,
      versions,
      patch: (exports: unknown) => {
        const proto = (exports as { prototype?: unknown } | undefined)?.prototype;
        if (typeof exports !== 'function' || typeof proto !== 'object' || proto === null) return;
        for (const name of names)
          this.#shim.wrap(proto, name, (original) => this.#delivering(original, rowsOf));
      },
    });
    const [pg, pgPool, mysql2, sequelize] = SUPPORTED;
    this.#patches = [
      methods('lib/client.js', ['query'], pgRows, pg.module, pg.versions),
      methods('lib/native/client.js', ['query'], pgRows, pg.module, pg.versions),
      methods('index.js', ['query'], pgRows, pgPool.module, pgPool.versions),
      methods('lib/connection.js', ['query', 'execute'], mysql2Rows, mysql2.module, mysql2.versions),
      methods('lib/pool.js', ['query', 'execute'], mysql2Rows, mysql2.module, mysql2.versions),
      methods('lib/sequelize.js', ['query'], sequelizeRows, sequelize.module, sequelize.versions),
    ];
    for (const patch of this.#patches) this.hooks.add(patch);
  }

  disable(): void {
    for (const patch of this.#patches) this.hooks.remove(patch);
    this.#patches = [];
    this.#shim.restore();
  }

  /**
   * Calls `original` with the application's callback (the last function among the first three
   * arguments) wrapped, or, without one, taints what the returned promise resolves to.
   */
  #delivering(original: AnyFunction, rowsOf: RowsOf): AnyFunction {
    const self = this;
    return function (this: unknown, ...args: unknown[]): unknown {
      const first = args[0] as { submit?: unknown; onResult?: unknown } | null | undefined;
      // A submittable (pg-cursor, QueryStream) or a prebuilt mysql2 command delivers rows
      // elsewhere (the pool that built the command wrapped its callback already).
      const prebuilt = typeof first?.submit === 'function' || typeof first?.onResult === 'function';
      if (prebuilt || !self.#active()) return Reflect.apply(original, this, args);
      let at = -1;
      for (let i = Math.min(args.length, 3) - 1; i >= 1; i--) {
        if (typeof args[i] === 'function') {
          at = i;
          break;
        }
      }
      if (at >= 0) {
        const callback = args[at] as AnyFunction & { [ROWS_CALLBACK]?: true };
        if (!callback[ROWS_CALLBACK]) {
          // Drivers call back from their socket's context, which belongs to whichever request
          // opened the connection, or to none. The callback runs in its caller's context, as
          // APM tracers bind it: what it does next (a query built from the rows) belongs to
          // the request that asked, and the fallback engine keeps that request's taint there.
          // (An AsyncResource rather than AsyncLocalStorage.snapshot(), which on Node 20 builds
          // a bound function through a deprecation wrapper on every call.)
          const inCaller = new AsyncResource('sluice.db-rows');
          const wrapped = function (this: unknown, ...results: unknown[]): unknown {
            return inCaller.runInAsyncScope(() => {
              if (results[0] == null) self.#taint(rowsOf, results[1], results.slice(2));
              return Reflect.apply(callback, this, results);
            });
          };
          Object.defineProperty(wrapped, ROWS_CALLBACK, { value: true });
          args[at] = wrapped;
        }
        return Reflect.apply(original, this, args);
      }
      const returned = Reflect.apply(original, this, args);
      if (!isPromise(returned)) return returned;
      return returned.then((result) => {
        self.#taint(rowsOf, result, []);
        return result;
      });
    };
  }

  #active(): boolean {
    try {
      return this.engine() !== undefined && this.options.inRequest();
    } catch (error) {
      this.guard(error);
      return false;
    }
  }

  #taint(rowsOf: RowsOf, delivered: unknown, extra: readonly unknown[]): void {
    const engine = this.engine();
    if (engine === undefined) return;
    try {
      const budget = { left: MAX_STRINGS_PER_RESULT };
      for (const set of rowsOf(delivered, extra)) {
        const n = Math.min(set.rows.length, this.options.rowsToTaint);
        for (let i = 0; i < n; i++) {
          const row = set.rows[i];
          if (row === null || typeof row !== 'object') continue;
          taintMembers(engine, row, String(i), 0, budget, set.columns);
        }
      }
    } catch (error) {
      this.guard(error);
    }
  }
}

/** Native promises only: mysql2's Query has a `then` that throws to catch a missing `.promise()`. */
function isPromise(value: unknown): value is Promise<unknown> {
  return value instanceof Promise;
}

/** Replaces the string members of `target` (deeply, bounded) with tainted copies. */
function taintMembers(
  engine: TaintEngine,
  target: object,
  name: string,
  depth: number,
  budget: { left: number },
  columns?: readonly string[],
): void {
  if (depth >= MAX_DEPTH || ArrayBuffer.isView(target) || target instanceof Date) return;
  const keys = Array.isArray(target) ? target.map((_, i) => String(i)) : Object.keys(target);
  for (const key of keys) {
    if (budget.left <= 0) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (!descriptor || !('value' in descriptor) || !descriptor.writable) continue;
    const value: unknown = descriptor.value;
    const column = Array.isArray(target) && columns ? (columns[Number(key)] ?? key) : key;
    const path = `${name}.${column}`;
    if (typeof value === 'string') {
      budget.left--;
      if (value === '' || engine.isTainted(value)) continue;
      const range: Range = {
        start: 0,
        end: value.length,
        source: { origin: 'sql.row.value', name: path, value },
        marks: SQL_ROW_MARKS,
      };
      (target as Record<string, unknown>)[key] = engine.taint(value, [range]);
    } else if (value !== null && typeof value === 'object') {
      taintMembers(engine, value, path, depth + 1, budget);
    }
  }
}
