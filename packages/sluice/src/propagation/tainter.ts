/**
 * What every propagation helper needs from the engine, with the shortcuts they share: the
 * ranges of a value, a cheap "is there any taint at all" test, and building a result that
 * carries computed ranges (returning the input when it already carries exactly those).
 */
import { merge } from '../taint/ranges.js';
import type { Range, TaintEngine } from '../taint/types.js';

export interface Tainter {
  readonly engine: TaintEngine;
  /** Ranges of `value` when it is a tainted string. */
  ranges(value: unknown): readonly Range[] | undefined;
  /**
   * False only when no tainted string can exist (the fallback engine's scope is empty or
   * absent; the native engine has none alive): helpers that would otherwise have to do extra
   * work to find out use it to skip that work.
   */
  hasTaint(): boolean;
  /**
   * True only when no tainted string exists, answered without any look-up (the native
   * engine's live counter); always false for the fallback engine, whose test reads the
   * request context and would cost more than the look-ups it saves. For the hottest helpers.
   */
  surelyUntainted(): boolean;
  /** `value` carrying `ranges` (none: `value` itself). */
  make(value: string, ranges: readonly Range[] | undefined): string;
}

export function createTainter(engine: TaintEngine): Tainter {
  const probe = engine as TaintEngine & { hasTaint?: () => boolean };
  const hasTaint =
    typeof probe.hasTaint === 'function'
      ? probe.hasTaint.bind(engine)
      : (): boolean => engine.stats().liveStrings > 0;
  const surelyUntainted = engine.kind === 'native' ? (): boolean => !hasTaint() : (): boolean => false;
  return {
    engine,
    surelyUntainted,
    ranges: (value) =>
      typeof value === 'string' && value.length !== 0 ? engine.getRanges(value) : undefined,
    hasTaint,
    make(value, ranges) {
      if (ranges === undefined || ranges.length === 0 || value.length === 0) return value;
      // Both engines clip, sort and cap in taint(); only the merge of adjacent ranges of one
      // source is left to do here (the native engine does not merge), not a whole normalise.
      const merged = merge(ranges);
      const existing = engine.getRanges(value);
      if (existing !== undefined && sameRanges(existing, merged)) return value;
      return engine.taint(value, merged);
    },
  };
}

export function sameRanges(a: readonly Range[], b: readonly Range[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Range;
    const y = b[i] as Range;
    if (x.start !== y.start || x.end !== y.end || x.source !== y.source || x.marks !== y.marks) return false;
  }
  return true;
}

/**
 * Runs a helper's propagation step after the original operation produced `result`: if the
 * step throws (a Sluice bug), the application still gets the original result.
 */
export function guard<T>(result: T, propagate: () => T): T {
  try {
    return propagate();
  } catch {
    return result;
  }
}
