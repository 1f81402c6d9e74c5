/**
 * encodeURIComponent, decodeURIComponent, encodeURI, decodeURI, escape, unescape (globals):
 * each character is encoded or decoded on its own, so the input is transformed segment by
 * segment at its range boundaries to place the ranges exactly. For the decoders a boundary
 * inside an escape sequence (or a UTF-8 sequence of escapes) is moved to its start, so the
 * range covers the whole decoded character; segments that still do not add up make the
 * result tainted as a whole (conservative).
 */
import { addMarks } from '../../taint/ranges.js';
import { markBit } from '../../vulnerability-types.js';
import type { Callable } from '../coerce.js';
import { segmented } from '../string-methods.js';
import type { Tainter } from '../tainter.js';
import { type Patcher, wrapFunction } from './wrap.js';

const ENCODERS = ['encodeURIComponent', 'encodeURI', 'escape'] as const;
const DECODERS = ['decodeURIComponent', 'decodeURI', 'unescape'] as const;
/** Secure marks an encoder's result gets. */
const ENCODER_MARKS: Partial<Record<(typeof ENCODERS)[number], number>> = {
  // An encoded component holds no `/ \\ : ? #`: placed after a fixed prefix it cannot change
  // a redirect's or an outgoing request's scheme or host.
  encodeURIComponent: markBit('UNVALIDATED_REDIRECT') | markBit('SSRF'),
};

export function hookUriFunctions(t: Tainter, patcher: Patcher): void {
  for (const name of ENCODERS) {
    patcher.wrap(globalThis, name, (original) => transformHook(t, original, undefined, ENCODER_MARKS[name]));
  }
  for (const name of DECODERS) {
    patcher.wrap(globalThis, name, (original) => transformHook(t, original, snapToEscape));
  }
}

function isHex(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

/**
 * A cut moved back so that it does not split "%XX" (or "%uXXXX"), nor a UTF-8 sequence:
 * an escape of a continuation byte (%80-%BF) stays with the escape before it.
 */
export function snapToEscape(input: string, cut: number): number {
  let p = cut;
  for (let back = 1; back <= 5 && p - back >= 0; back++) {
    if (input.charCodeAt(p - back) !== 0x25 /* % */) continue;
    const width = input.charCodeAt(p - back + 1) === 0x75 /* u */ ? 6 : 3;
    if (back < width) p -= back;
    break;
  }
  while (
    p >= 3 &&
    input.charCodeAt(p) === 0x25 &&
    /[89abAB]/.test(input.charAt(p + 1)) &&
    isHex(input.charCodeAt(p + 2)) &&
    input.charCodeAt(p - 3) === 0x25
  ) {
    p -= 3;
  }
  return p;
}

/** A wrapper for a one-argument string transformation applied character by character. */
export function transformHook(
  t: Tainter,
  original: Callable,
  snap?: (input: string, cut: number) => number,
  marks = 0,
): Callable {
  return wrapFunction(original, (result, args) => {
    const input = args[0];
    const ranges = t.ranges(input);
    if (ranges === undefined || typeof result !== 'string' || result.length === 0) return result;
    const apply = (segment: string): string => Reflect.apply(original, undefined, [segment]) as string;
    return t.make(result, addMarks(segmented(apply, input as string, ranges, result, true, snap), marks));
  });
}
