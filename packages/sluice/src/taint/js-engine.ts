/**
 * The fallback taint engine, used when the native addon cannot load (or by configuration).
 *
 * It keys ranges by string VALUE inside the current taint scope: `runInScope(fn)` opens a
 * table owned by this engine instance (through its own AsyncLocalStorage, so the table follows
 * the request through callbacks, promises and timers) and drops it when nothing refers to the
 * scope any more. Consequences, documented in docs/internals/propagation.md:
 * - Less precise: equal text is indistinguishable. Once "abc" is tainted in a scope, every
 *   "abc" in that scope reports the same ranges, wherever it came from.
 * - Outside any scope `taint()` returns the value untouched and nothing is tainted (there is
 *   no table to put it in); sources run inside the request's scope, so this only affects code
 *   running outside any request (start-up code, a custom source called from a timer that was
 *   not created inside a scope).
 * - Taint does not outlive its scope: a value cached during one request is not tainted in the
 *   next one (stored, second-order flows need the native engine).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { normalise } from './ranges.js';
import type { Range, TaintEngine, TaintStats } from './types.js';

interface Scope {
  readonly table: Map<string, readonly Range[]>;
  /** Lengths of the strings in `table`, one entry each: released when the scope is collected. */
  readonly lengths: number[];
  bytes: number;
}

export interface JsTaintEngine extends TaintEngine {
  readonly kind: 'js';
  /** True when the current scope holds any taint: the propagation helpers' fast-path test. */
  hasTaint(): boolean;
}

export function createJsEngine(): JsTaintEngine {
  const storage = new AsyncLocalStorage<Scope>();
  // Scopes are held weakly so that stats() can count live entries without keeping tables alive.
  const scopes = new Set<WeakRef<Scope>>();
  let created = 0;
  // How many live scopes hold a tainted string of each length. Reading the current scope costs
  // tens of nanoseconds (AsyncLocalStorage); a string whose length no live scope has tainted
  // is answered with one Map look-up, which keeps untainted propagation cheap.
  const liveLengths = new Map<number, number>();
  const release = new FinalizationRegistry<number[]>((lengths) => {
    for (const length of lengths) {
      const count = (liveLengths.get(length) ?? 1) - 1;
      if (count <= 0) liveLengths.delete(length);
      else liveLengths.set(length, count);
    }
  });

  function lookup(value: unknown): readonly Range[] | undefined {
    if (typeof value !== 'string' || !liveLengths.has(value.length)) return undefined;
    const scope = storage.getStore();
    if (scope === undefined || scope.table.size === 0) return undefined;
    return scope.table.get(value);
  }

  return Object.freeze({
    kind: 'js' as const,
    taint(value: string, ranges: readonly Range[]): string {
      if (typeof value !== 'string') {
        throw new TypeError(`sluice taint: expected a string, got ${typeof value}`);
      }
      const normalised = normalise(ranges, value.length);
      if (value.length === 0 || normalised.length === 0) return value;
      const scope = storage.getStore();
      if (scope === undefined) return value;
      const previous = scope.table.get(value);
      if (previous === undefined) {
        scope.bytes += value.length * 2;
        scope.lengths.push(value.length);
        liveLengths.set(value.length, (liveLengths.get(value.length) ?? 0) + 1);
      }
      scope.table.set(value, normalised);
      created++;
      return value;
    },
    getRanges: lookup,
    hasTaint(): boolean {
      if (liveLengths.size === 0) return false;
      const scope = storage.getStore();
      return scope !== undefined && scope.table.size !== 0;
    },
    isTainted: (value: unknown): boolean => lookup(value) !== undefined,
    stats(): TaintStats {
      let liveStrings = 0;
      let liveBytes = 0;
      for (const ref of scopes) {
        const scope = ref.deref();
        if (scope === undefined) {
          scopes.delete(ref);
          continue;
        }
        liveStrings += scope.table.size;
        liveBytes += scope.bytes;
      }
      return { liveStrings, liveBytes, created };
    },
    runInScope<T>(fn: () => T): T {
      const scope: Scope = { table: new Map(), lengths: [], bytes: 0 };
      scopes.add(new WeakRef(scope));
      release.register(scope, scope.lengths);
      return storage.run(scope, fn);
    },
  });
}
