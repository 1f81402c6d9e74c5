/**
 * The generic propagation step for functions Sluice does not model precisely (hooked
 * built-ins and libraries): find each tainted input's text in the output and taint those
 * positions. When an input's whole text is not in the output (the function transformed it,
 * e.g. path.normalize dropped a "./"), each of its tainted ranges' text is looked for
 * separately. Inputs are searched in order from where the previous one was found, which keeps
 * repeated text in its most likely place; a text that is not found contributes nothing.
 */
import { normalise, shift, sliceRanges } from '../taint/ranges.js';
import type { Range } from '../taint/types.js';
import type { Tainter } from './tainter.js';

/** The ranges `result` gets from the tainted strings among `inputs`, or undefined if none. */
export function locateRanges(
  t: Tainter,
  result: string,
  inputs: readonly unknown[],
): readonly Range[] | undefined {
  if (result.length === 0) return undefined;
  let found: Range[] | undefined;
  let cursor = 0;
  for (const input of inputs) {
    const ranges = t.ranges(input);
    if (ranges === undefined) continue;
    const text = input as string;
    let at = result.indexOf(text, cursor);
    if (at === -1) at = result.indexOf(text);
    if (at !== -1) {
      found ??= [];
      found.push(...shift(ranges, at));
      cursor = at + text.length;
      continue;
    }
    for (const range of ranges) {
      const part = text.slice(range.start, range.end);
      let pos = result.indexOf(part, cursor);
      if (pos === -1) pos = result.indexOf(part);
      if (pos === -1) continue;
      found ??= [];
      found.push(...shift(sliceRanges([range], range.start, range.end), pos));
      cursor = pos + part.length;
    }
  }
  return found === undefined ? undefined : normalise(found, result.length);
}

/** `result` tainted from the tainted strings among `inputs` (see locateRanges). */
export function propagateByLocating(t: Tainter, result: string, inputs: readonly unknown[]): string {
  const ranges = locateRanges(t, result, inputs);
  return ranges === undefined ? result : t.make(result, ranges);
}
