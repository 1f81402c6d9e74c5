/**
 * The generic propagation step for functions Sluice does not model precisely (hooked
 * built-ins and libraries): find each tainted input's text in the output and taint those
 * positions. When an input's whole text is not in the output (the function transformed it,
 * e.g. path.normalize dropped a "./"), each of its tainted ranges' text is looked for
 * separately. Inputs are searched in order from where the previous one was found, which keeps
 * repeated text in its most likely place; a text that is not found contributes nothing.
 */
import { makeRange, normalise, shift, sliceRanges, whole } from '../taint/ranges.js';
import type { Range } from '../taint/types.js';
import type { Tainter } from './tainter.js';

/**
 * Other forms a tainted text may take in the output (percent-encoded, decoded, ...). A form
 * found in the output is tainted as a whole, from the range it was derived from.
 */
export type Variants = (text: string) => readonly string[];

/** The ranges `result` gets from the tainted strings among `inputs`, or undefined if none. */
export function locateRanges(
  t: Tainter,
  result: string,
  inputs: readonly unknown[],
  variants?: Variants,
): readonly Range[] | undefined {
  if (result.length === 0) return undefined;
  let found: Range[] | undefined;
  let cursor = 0;
  const find = (text: string): number => {
    if (text.length === 0) return -1;
    const at = result.indexOf(text, cursor);
    return at === -1 ? result.indexOf(text) : at;
  };
  for (const input of inputs) {
    const ranges = t.ranges(input);
    if (ranges === undefined) continue;
    const text = input as string;
    const at = find(text);
    if (at !== -1) {
      found ??= [];
      found.push(...shift(ranges, at));
      cursor = at + text.length;
      continue;
    }
    for (const range of ranges) {
      const part = text.slice(range.start, range.end);
      let pos = find(part);
      let length = part.length;
      if (pos === -1 && variants !== undefined) {
        for (const form of variants(part)) {
          pos = find(form);
          length = form.length;
          if (pos !== -1) break;
        }
      }
      if (pos === -1) {
        // Transformed around the edges (a path's "../" resolved away): the longest surviving
        // prefix or suffix of the tainted text, if long enough not to be a coincidence.
        const edge = longestEdge(result, part);
        if (edge === undefined) continue;
        [pos, length] = edge;
      }
      found ??= [];
      found.push(makeRange(pos, pos + length, range.source, range.marks));
      cursor = pos + length;
    }
  }
  return found === undefined ? undefined : normalise(found, result.length);
}

const MIN_EDGE = 3;

/**
 * [position in result, length] of the longest prefix or suffix of `part` found in `result`
 * (at least MIN_EDGE characters). Occurrence is monotone in the length (a shorter suffix of
 * a found suffix is found too), so a binary search finds the longest.
 */
function longestEdge(result: string, part: string): [number, number] | undefined {
  const longest = (piece: (n: number) => string): number => {
    let lo = 0;
    let hi = part.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (result.includes(piece(mid))) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const suffix = longest((n) => part.slice(part.length - n));
  const prefix = longest((n) => part.slice(0, n));
  const n = Math.max(suffix, prefix);
  if (n < MIN_EDGE) return undefined;
  const text = suffix >= prefix ? part.slice(part.length - n) : part.slice(0, n);
  return [result.indexOf(text), n];
}

/** `result` tainted from the tainted strings among `inputs` (see locateRanges). */
export function propagateByLocating(
  t: Tainter,
  result: string,
  inputs: readonly unknown[],
  variants?: Variants,
): string {
  const ranges = locateRanges(t, result, inputs, variants);
  return ranges === undefined ? result : t.make(result, ranges);
}

/**
 * For results that are a piece of an input (a parsed field, a URL component, a decoded
 * parameter): the result's text (or one of its `variants`, e.g. its percent-encoded form) is
 * looked for inside each tainted input and the input's ranges there are carried over (exactly
 * for the same text; over the whole result for a variant). Falls back to locateRanges.
 */
export function pieceRanges(
  t: Tainter,
  result: string,
  inputs: readonly unknown[],
  variants?: Variants,
): readonly Range[] | undefined {
  if (result.length === 0) return undefined;
  for (const input of inputs) {
    const ranges = t.ranges(input);
    if (ranges === undefined) continue;
    const text = input as string;
    const at = text.indexOf(result);
    if (at !== -1) {
      const inside = sliceRanges(ranges, at, at + result.length);
      if (inside.length !== 0) return inside;
      continue;
    }
    for (const form of variants?.(result) ?? []) {
      const pos = text.indexOf(form);
      if (pos === -1) continue;
      const inside = sliceRanges(ranges, pos, pos + form.length);
      if (inside.length !== 0) return whole(inside, result.length);
    }
  }
  return locateRanges(t, result, inputs, variants);
}

/** `result` tainted as a piece of the tainted inputs (see pieceRanges). */
export function propagatePiece(
  t: Tainter,
  result: string,
  inputs: readonly unknown[],
  variants?: Variants,
): string {
  const ranges = pieceRanges(t, result, inputs, variants);
  return ranges === undefined ? result : t.make(result, ranges);
}
