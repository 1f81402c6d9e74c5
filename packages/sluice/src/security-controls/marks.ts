/**
 * Granting secure marks to values a security control handled, shared by user-declared
 * controls and the built-in validators:
 * - `markedCopy`: a sanitizer's result, a string carrying its taint plus the marks (objects
 *   and arrays have their strings replaced in place, as Datadog does);
 * - `markInPlace`: a validator's arguments, whose ranges gain the marks where they are, so the
 *   caller's own variable is marked (the native engine replaces a tainted string's ranges in
 *   place; the fallback engine keys taint by value, so re-tainting the value is in place).
 * Untainted values are left alone: they need no mark.
 */
import type { NativeTaintEngine } from '../taint/native-engine.js';
import { addMarks } from '../taint/ranges.js';
import type { TaintEngine } from '../taint/types.js';

const MAX_DEPTH = 8;
const MAX_STRINGS = 1000;

function marked(
  engine: TaintEngine,
  value: string,
  marks: number,
): readonly import('../taint/types.js').Range[] | undefined {
  const ranges = engine.getRanges(value);
  if (ranges === undefined || ranges.length === 0) return undefined;
  const next = addMarks(ranges, marks);
  return next === ranges ? undefined : next;
}

/** `value` (a string, or strings inside an object) with `marks` added to its taint. */
export function markedCopy(engine: TaintEngine, value: unknown, marks: number): unknown {
  if (typeof value === 'string') {
    const ranges = marked(engine, value, marks);
    return ranges === undefined ? value : engine.taint(value, ranges);
  }
  eachString(value, (s, holder, key) => {
    const ranges = marked(engine, s, marks);
    if (ranges !== undefined) holder[key] = engine.taint(s, ranges);
  });
  return value;
}

/** Adds `marks` to the taint of `value` (or of the strings inside it) where it is. */
export function markInPlace(engine: TaintEngine, value: unknown, marks: number): void {
  const native = engine as Partial<NativeTaintEngine>;
  const mark = (s: string) => {
    const ranges = marked(engine, s, marks);
    if (ranges === undefined) return;
    if (typeof native.setRanges === 'function') native.setRanges(s, ranges);
    else engine.taint(s, ranges);
  };
  if (typeof value === 'string') mark(value);
  else eachString(value, (s) => mark(s));
}

/** Calls `fn` for each string held by a writable data property of `root`, bounded. */
function eachString(
  root: unknown,
  fn: (value: string, holder: Record<string, unknown>, key: string) => void,
): void {
  if (root === null || typeof root !== 'object') return;
  const seen = new Set<object>();
  let left = MAX_STRINGS;
  const visit = (node: object, depth: number) => {
    if (depth >= MAX_DEPTH || seen.has(node) || ArrayBuffer.isView(node)) return;
    seen.add(node);
    for (const key of Object.keys(node)) {
      if (left <= 0) return;
      const d = Object.getOwnPropertyDescriptor(node, key);
      if (!d || !('value' in d)) continue;
      if (typeof d.value === 'string') {
        left--;
        if (d.writable) fn(d.value, node as Record<string, unknown>, key);
      } else if (d.value !== null && typeof d.value === 'object') visit(d.value as object, depth + 1);
    }
  };
  visit(root, 0);
}
