/**
 * Taints request data: a string becomes a tainted copy; an object or array is tainted
 * deeply, in place (its string members are replaced by equal tainted strings), each string
 * named by its dotted path (`user.address.0`). Bounded in depth and count so that a hostile
 * body cannot make this expensive.
 */
import { makeRange } from '../taint/ranges.js';
import type { Origin, TaintEngine } from '../taint/types.js';

const MAX_DEPTH = 16;
const MAX_STRINGS = 2000;

/** Where an object or array of request data came from (its keys are the sender's choice). */
export interface ObjectSource {
  readonly origin: Origin;
  /** Dotted path of the object in its source (`user`), '' for the whole body or query. */
  readonly name: string;
}

/** The request's own objects and arrays, by identity: NoSQL operator objects are recognised by it. */
export type RequestObjects = WeakMap<object, ObjectSource>;

/**
 * How many keys a `for...in` over `value` visits (an array: its length), counted without
 * allocating: a cheap sign that an object was filled after it was tainted.
 */
export function enumerableKeyCount(value: object): number {
  if (Array.isArray(value)) return value.length;
  let n = 0;
  for (const _ in value) n++;
  return n;
}

export function taintString(engine: TaintEngine, value: string, origin: Origin, name: string): string {
  if (value === '' || engine.isTainted(value)) return value;
  // Frozen as the engines keep them, so that taint() need not copy them.
  const source = Object.freeze({ origin, name, value });
  return engine.taint(value, Object.freeze([makeRange(0, value.length, source, 0)]));
}

/**
 * Returns the tainted value (strings) or the same object with its strings tainted; objects
 * and arrays visited are recorded in `objects` when given.
 */
export function taintDeep(
  engine: TaintEngine,
  value: unknown,
  origin: Origin,
  name: string,
  objects?: RequestObjects,
): unknown {
  const budget = { left: MAX_STRINGS };
  const seen = new Set<object>();
  const visit = (v: unknown, path: string, depth: number): unknown => {
    if (typeof v === 'string') {
      if (budget.left <= 0) return v;
      budget.left--;
      return taintString(engine, v, origin, path);
    }
    if (v === null || typeof v !== 'object' || depth >= MAX_DEPTH || seen.has(v)) return v;
    if (ArrayBuffer.isView(v)) return v;
    seen.add(v);
    if (objects !== undefined && !objects.has(v)) objects.set(v, { origin, name: path });
    const join = (key: string) => (path === '' ? key : `${path}.${key}`);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && budget.left > 0; i++) {
        const item: unknown = v[i];
        const next = visit(item, join(String(i)), depth + 1);
        // A tainted copy is === to the original text: strings are always written back.
        if (typeof item === 'string') v[i] = next;
      }
      return v;
    }
    for (const key of Object.keys(v)) {
      if (budget.left <= 0) break;
      const descriptor = Object.getOwnPropertyDescriptor(v, key);
      // Only plain writable data properties: getters and frozen objects are left as they are.
      if (!descriptor || !('value' in descriptor) || !descriptor.writable) continue;
      const next = visit(descriptor.value, join(key), depth + 1);
      if (typeof descriptor.value === 'string') (v as Record<string, unknown>)[key] = next;
    }
    return v;
  };
  return visit(value, name, 0);
}
