/**
 * encodeURIComponent, decodeURIComponent, encodeURI, decodeURI, escape, unescape (globals):
 * each character is encoded or decoded on its own, so the input is transformed segment by
 * segment at its range boundaries to place the ranges exactly; a boundary that splits an
 * escape sequence makes the result tainted as a whole (conservative).
 */
import type { Callable } from '../coerce.js';
import { segmented } from '../string-methods.js';
import type { Tainter } from '../tainter.js';
import { type Patcher, wrapFunction } from './wrap.js';

const GLOBALS = [
  'encodeURIComponent',
  'decodeURIComponent',
  'encodeURI',
  'decodeURI',
  'escape',
  'unescape',
] as const;

export function hookUriFunctions(t: Tainter, patcher: Patcher): void {
  for (const name of GLOBALS) {
    patcher.wrap(globalThis, name, (original) => transformHook(t, original));
  }
}

/** A wrapper for a one-argument string transformation applied character by character. */
export function transformHook(t: Tainter, original: Callable): Callable {
  return wrapFunction(original, (result, args) => {
    const input = args[0];
    const ranges = t.ranges(input);
    if (ranges === undefined || typeof result !== 'string' || result.length === 0) return result;
    const apply = (segment: string): string => Reflect.apply(original, undefined, [segment]) as string;
    return t.make(result, segmented(apply, input as string, ranges, result, true));
  });
}
