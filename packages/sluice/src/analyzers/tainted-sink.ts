/**
 * What the taint-based analyzers share: the tainted ranges of a sink's value that are not
 * sanitised for the analyzer's type (secure marks), evidence built from several tainted
 * pieces, and a per-request memory of values already analysed (one finding per query when a
 * library calls another hooked library underneath). Redaction of the evidence happens when
 * the report is rendered (report/redaction.ts, per-type tokenizers).
 */
import type { RequestContext } from '../context/request-context.js';
import type { Range, TaintEngine } from '../taint/types.js';
import { markBit, type TaintedType } from '../vulnerability-types.js';

/** Ranges of `value` not sanitised for `type`; undefined when there are none. */
export function vulnerableRanges(
  engine: TaintEngine | undefined,
  value: unknown,
  type: TaintedType,
): readonly Range[] | undefined {
  if (engine === undefined || typeof value !== 'string') return undefined;
  const ranges = engine.getRanges(value);
  if (ranges === undefined || ranges.length === 0) return undefined;
  const bit = markBit(type);
  const open = ranges.filter((r) => (r.marks & bit) === 0);
  return open.length > 0 ? open : undefined;
}

export interface TaintedText {
  readonly value: string;
  readonly ranges: readonly Range[];
}

/**
 * `pieces` joined with `separator`, each piece's unsanitised ranges shifted to its place.
 * Non-string pieces are rendered with String() and carry no taint.
 */
export function joinTainted(
  engine: TaintEngine | undefined,
  pieces: readonly unknown[],
  separator: string,
  type: TaintedType,
): TaintedText {
  let value = '';
  const ranges: Range[] = [];
  pieces.forEach((piece, i) => {
    if (i > 0) value += separator;
    const text = typeof piece === 'string' ? piece : String(piece);
    for (const r of vulnerableRanges(engine, piece, type) ?? [])
      ranges.push({ ...r, start: r.start + value.length, end: r.end + value.length });
    value += text;
  });
  return { value, ranges };
}

/** Values already analysed in each request; forgotten with the request. */
export class SeenPerRequest {
  readonly #seen = new WeakMap<RequestContext, Set<string>>();

  /** True the first time `value` is seen in `ctx` (always true outside a request). */
  first(ctx: RequestContext | undefined, value: string): boolean {
    if (ctx === undefined) return true;
    let seen = this.#seen.get(ctx);
    if (seen === undefined) {
      seen = new Set();
      this.#seen.set(ctx, seen);
    }
    if (seen.has(value)) return false;
    seen.add(value);
    return true;
  }
}
