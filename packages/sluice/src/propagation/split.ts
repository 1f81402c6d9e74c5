/**
 * split: each piece gets the ranges of the receiver text it was cut from. With a string
 * separator (or a primitive, converted as the built-in does) the pieces' positions follow
 * from their lengths; with a RegExp separator the pieces (and captured separators) are found
 * by searching forward from the previous one.
 */
import { sliceRanges } from '../taint/ranges.js';
import type { Range } from '../taint/types.js';
import { type Callable, isObject } from './coerce.js';
import { guard, type Tainter } from './tainter.js';

export function splitImpl(t: Tainter, builtin: Callable, receiver: string, args: unknown[]): unknown {
  const result = Reflect.apply(builtin, receiver, args) as unknown;
  const own = t.ranges(receiver);
  if (own === undefined || !Array.isArray(result)) return result;
  // Pieces are replaced one by one: a failure leaves the rest as the built-in made them.
  return guard(result, () => taintPieces(t, receiver, args[0], result, own));
}

function taintPieces(
  t: Tainter,
  receiver: string,
  separator: unknown,
  result: unknown[],
  own: readonly Range[],
): unknown[] {
  // The array is new and ours until returned: replacing its elements is unobservable.
  if (!isObject(separator) && typeof separator !== 'symbol') {
    const gap = separator === undefined ? 0 : `${separator}`.length;
    let at = 0;
    for (let i = 0; i < result.length; i++) {
      const piece = result[i] as string;
      result[i] = t.make(piece, sliceRanges(own, at, at + piece.length));
      at += piece.length + gap;
    }
    return result;
  }
  let cursor = 0;
  for (let i = 0; i < result.length; i++) {
    const piece = result[i];
    if (typeof piece !== 'string' || piece.length === 0) continue;
    const at = receiver.indexOf(piece, cursor);
    if (at === -1) continue;
    result[i] = t.make(piece, sliceRanges(own, at, at + piece.length));
    cursor = at + piece.length;
  }
  return result;
}
