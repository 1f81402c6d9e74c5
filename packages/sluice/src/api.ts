/**
 * The public API, `require('sluice/api')` / `import ... from 'sluice/api'`: custom sources
 * (a queue message, a WebSocket frame), taint inspection, and user-declared sanitising.
 * See docs/api.md.
 *
 * It works whether or not the agent runs: without a running agent every function is a no-op
 * (taint returns its argument, isTainted is false, getRanges is empty). The running agent is
 * found through a global symbol set when it starts (see propagation/install.ts), so this
 * module loads nothing else and any copy of the package finds the same agent.
 *
 * As with every string operation under Sluice, use the RETURNED value: with the native engine
 * a tainted string is a new string equal to the argument.
 */
import type { Origin, Range, TaintEngine } from './taint/types.js';
import { TAINTED_TYPES, type TaintedType } from './vulnerability-types.js';

export type { Origin, Range, Source } from './taint/types.js';
export type { TaintedType } from './vulnerability-types.js';

const ENGINE_KEY = Symbol.for('sluice.engine');

const ORIGINS: readonly Origin[] = [
  'http.request.parameter',
  'http.request.body',
  'http.request.header',
  'http.request.header.name',
  'http.request.cookie.value',
  'http.request.cookie.name',
  'http.request.path.parameter',
  'http.request.uri',
  'http.request.path',
  'http.request.query',
  'http.request.multipart.parameter',
  'sql.row.value',
  'custom',
];

/** Nesting depth up to which taint() follows objects and arrays. */
const MAX_DEPTH = 32;

export interface TaintOptions {
  /** Where the data came from; default 'custom'. */
  origin?: Origin;
  /** What it is called (queue, topic, field...); default ''. Nested values get `name.key.0`. */
  name?: string;
}

function engine(): TaintEngine | undefined {
  return (globalThis as Record<symbol, TaintEngine | undefined>)[ENGINE_KEY];
}

/** True when an agent with a taint engine is running in this process. */
export function isEnabled(): boolean {
  return engine() !== undefined;
}

/**
 * Marks `value` as untrusted data from `origin`/`name`. A string is returned tainted over its
 * whole length (use the returned string). Plain objects and arrays are tainted IN PLACE: every
 * string reachable through own enumerable properties (up to 32 levels, cycles visited once) is
 * replaced by its tainted copy, named by its dotted path; the same object is returned. Other
 * values, the empty string, and everything when no agent runs, are returned unchanged.
 * Throws a TypeError for an unknown origin or a non-string name.
 */
export function taint<T>(value: T, options: TaintOptions = {}): T {
  const origin = options.origin ?? 'custom';
  const name = options.name ?? '';
  if (!ORIGINS.includes(origin)) {
    throw new TypeError(
      `sluice/api taint: unknown origin ${JSON.stringify(origin)}; use one of ${ORIGINS.join(', ')}`,
    );
  }
  if (typeof name !== 'string') throw new TypeError('sluice/api taint: name must be a string');
  const e = engine();
  if (e === undefined) return value;
  try {
    if (typeof value === 'string') return taintString(e, value, origin, name) as T;
    if (typeof value === 'object' && value !== null) taintDeep(e, value, origin, name, 0, new Set());
  } catch {
    // Sluice fails open: the value stays as it was.
  }
  return value;
}

function taintString(e: TaintEngine, value: string, origin: Origin, name: string): string {
  if (value.length === 0) return value;
  // The source keeps an untainted copy of the text (a slice of a fresh concatenation is a new,
  // non-external string for the native engine).
  const copy = e.isTainted(value) ? ` ${value}`.slice(1) : value;
  const source = Object.freeze({ origin, name, value: copy });
  return e.taint(value, [Object.freeze({ start: 0, end: value.length, source, marks: 0 })]);
}

function taintDeep(
  e: TaintEngine,
  node: object,
  origin: Origin,
  name: string,
  depth: number,
  seen: Set<object>,
): void {
  if (depth > MAX_DEPTH || seen.has(node)) return;
  seen.add(node);
  for (const key of Object.keys(node)) {
    // Data properties only: no getter or setter of the application's runs.
    const desc = Object.getOwnPropertyDescriptor(node, key);
    if (desc === undefined || !('value' in desc)) continue;
    const child: unknown = desc.value;
    const path = name === '' ? key : `${name}.${key}`;
    if (typeof child === 'string') {
      if (!desc.writable) continue;
      // Strings compare by value: the tainted copy is stored whatever `===` says.
      Object.defineProperty(node, key, { value: taintString(e, child, origin, path) });
    } else if (typeof child === 'object' && child !== null) {
      taintDeep(e, child, origin, path, depth + 1, seen);
    }
  }
}

/**
 * Runs `fn` in a taint scope of its own, e.g. one queue message's handling, and returns its
 * result. Needed only by the fallback engine, which keeps taint per scope (HTTP requests get
 * one automatically); with the native engine, or without an agent, it just calls `fn`.
 */
export function runInTaintScope<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError('sluice/api runInTaintScope: fn must be a function');
  const e = engine();
  return e === undefined ? fn() : e.runInScope(fn);
}

/** True when `value` is a tainted string (never throws; false when no agent runs). */
export function isTainted(value: unknown): boolean {
  const e = engine();
  if (e === undefined) return false;
  try {
    return e.isTainted(value);
  } catch {
    return false;
  }
}

/** The taint ranges of `value` (frozen; empty when untainted, not a string, or no agent runs). */
export function getRanges(value: unknown): readonly Range[] {
  const e = engine();
  if (e === undefined) return NONE;
  try {
    return e.getRanges(value) ?? NONE;
  } catch {
    return NONE;
  }
}

const NONE: readonly Range[] = Object.freeze([]);

/**
 * Declares `value` sanitised for `types` (e.g. after your own escaping): returns a string
 * whose ranges carry those secure marks, so the analyzers of those types no longer report it.
 * Other types still do. Untainted values and non-strings are returned unchanged. Throws a
 * TypeError naming any type that is not a taint-based vulnerability type.
 */
export function markSanitized(value: string, types: TaintedType | readonly TaintedType[]): string;
export function markSanitized<T>(value: T, types: TaintedType | readonly TaintedType[]): T;
export function markSanitized(value: unknown, types: TaintedType | readonly TaintedType[]): unknown {
  const list: readonly unknown[] = typeof types === 'string' ? [types] : Array.isArray(types) ? types : [];
  if (list.length === 0)
    throw new TypeError('sluice/api markSanitized: give one or more vulnerability types');
  let marks = 0;
  for (const type of list) {
    const bit = TAINTED_TYPES.indexOf(type as TaintedType);
    if (bit === -1) {
      throw new TypeError(
        `sluice/api markSanitized: ${JSON.stringify(type)} is not a taint-based type; use ${TAINTED_TYPES.join(', ')}`,
      );
    }
    marks |= 1 << bit;
  }
  const e = engine();
  if (e === undefined || typeof value !== 'string') return value;
  try {
    const ranges = e.getRanges(value);
    if (ranges === undefined) return value;
    const marked = ranges.map((r) =>
      Object.freeze({ start: r.start, end: r.end, source: r.source, marks: r.marks | marks }),
    );
    return e.taint(value, marked);
  } catch {
    return value;
  }
}
