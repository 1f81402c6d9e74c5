/**
 * The taint model shared by both engines (native and fallback), the propagation helpers,
 * the sources and the analyzers. See DESIGN.md, "Taint engine".
 */

/** Where a tainted value came from, named as in the Datadog IAST report format. */
export type Origin =
  | 'http.request.parameter'
  | 'http.request.body'
  | 'http.request.header'
  | 'http.request.header.name'
  | 'http.request.cookie.value'
  | 'http.request.cookie.name'
  | 'http.request.path.parameter'
  | 'http.request.uri'
  | 'http.request.path'
  | 'http.request.query'
  | 'http.request.multipart.parameter'
  | 'sql.row.value'
  | 'custom';

/** One source of untrusted data; shared by every range that came from it. Never tainted itself. */
export interface Source {
  readonly origin: Origin;
  /** Parameter, header or cookie name; dotted path for nested objects (`user.address.0`). */
  readonly name: string;
  /** The value as received (an untainted copy). */
  readonly value: string;
}

/**
 * Characters [start, end) of a string came from `source`. `marks` is the bit set of the
 * vulnerability types for which the range has been sanitised (see vulnerability-types.ts).
 * Ranges of one string are sorted by start, do not overlap and are never empty.
 * Range objects are immutable: operations build new ones.
 */
export interface Range {
  readonly start: number;
  readonly end: number;
  readonly source: Source;
  readonly marks: number;
}

/** Counters an engine keeps; exposed for tests, benchmarks and the exit summary. */
export interface TaintStats {
  /** Tainted strings alive now (native: not yet collected; fallback: entries in live scopes). */
  readonly liveStrings: number;
  /** Bytes of character data those strings hold. */
  readonly liveBytes: number;
  /** Tainted strings created since start. */
  readonly created: number;
}

/**
 * One interface, two implementations: the native engine (V8 external strings whose resource
 * carries the ranges) and the fallback engine (ranges keyed by string value inside the
 * current taint scope).
 */
export interface TaintEngine {
  readonly kind: 'native' | 'js';
  /**
   * A string equal to `value` that carries `ranges` (clipped to its length, at most the range
   * cap). The native engine returns a new string; the fallback engine returns `value` itself.
   * Returns `value` untouched when it cannot be tainted (empty string, no ranges, or the
   * fallback engine outside any taint scope).
   */
  taint(value: string, ranges: readonly Range[]): string;
  /** The ranges of `value`, or undefined when it is not a tainted string. Never throws. */
  getRanges(value: unknown): readonly Range[] | undefined;
  /** True when `value` is a tainted string. Never throws. */
  isTainted(value: unknown): boolean;
  stats(): TaintStats;
  /**
   * Runs `fn` inside a new taint scope (one per analysed request). The fallback engine keeps
   * its value-keyed table there and drops it when the scope ends; the native engine needs no
   * scope and just calls `fn`.
   */
  runInScope<T>(fn: () => T): T;
}

/** At most this many ranges are kept per string; the cap keeps propagation cost bounded. */
export const MAX_RANGES_PER_STRING = 64;
