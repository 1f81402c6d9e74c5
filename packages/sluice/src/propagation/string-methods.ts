/**
 * Range computation for the String.prototype methods the rewriter routes through the runtime.
 * Each implementation runs only when the callee is the real built-in and the receiver a
 * string: it calls the built-in with the original arguments (or with arguments it converted
 * itself exactly as the built-in would, see concat) and then works out where the result's
 * characters came from. Replace and split live in their own modules.
 */
import { boundaries, concat, type Piece, remap, repeat, sliceRanges, whole } from '../taint/ranges.js';
import type { Range } from '../taint/types.js';
import { type Callable, isObject, toIntegerOrInfinity } from './coerce.js';
import { guard, type Tainter } from './tainter.js';

/** Runs the built-in on a string receiver and returns the (possibly tainted) result. */
export type StringImpl = (t: Tainter, builtin: Callable, receiver: string, args: unknown[]) => unknown;

const builtinTrimStart = String.prototype.trimStart;

/** Where in the receiver a substring-producing method's result starts, or -1 when unknown. */
type Locator = (receiver: string, args: unknown[], result: string) => number;

function anyObject(args: unknown[]): boolean {
  for (const arg of args) if (isObject(arg)) return true;
  return false;
}

/** The result of a method returning one substring of the receiver. */
function substringOf(locate: Locator): StringImpl {
  return (t, builtin, receiver, args) => {
    const result = Reflect.apply(builtin, receiver, args) as string | undefined;
    if (typeof result !== 'string' || result.length === 0) return result;
    const ranges = t.ranges(receiver);
    if (ranges === undefined) return result;
    return guard(result, () => {
      // An object index already ran its valueOf inside the built-in; it must not run again,
      // so its position is found by searching (the first occurrence).
      const from = anyObject(args) ? receiver.indexOf(result) : locate(receiver, args, result);
      if (from < 0) return result;
      return t.make(result, sliceRanges(ranges, from, from + result.length));
    });
  };
}

function relativeIndex(value: unknown, length: number): number {
  const n = toIntegerOrInfinity(value);
  return n < 0 ? Math.max(length + n, 0) : Math.min(n, length);
}

const slice = substringOf((s, args) => relativeIndex(args[0], s.length));

const substring = substringOf((s, args) => {
  const a = Math.min(Math.max(toIntegerOrInfinity(args[0]), 0), s.length);
  const b = args[1] === undefined ? s.length : Math.min(Math.max(toIntegerOrInfinity(args[1]), 0), s.length);
  return Math.min(a, b);
});

const substr = substringOf((s, args) => relativeIndex(args[0], s.length));

const at = substringOf((s, args) => {
  const n = toIntegerOrInfinity(args[0]);
  return n >= 0 ? n : s.length + n;
});

const charAt = substringOf((_s, args) => toIntegerOrInfinity(args[0]));

const trimStartLocator: Locator = (s) => s.length - (Reflect.apply(builtinTrimStart, s, []) as string).length;
const trim = substringOf(trimStartLocator);
const trimStart = substringOf(trimStartLocator);
const trimEnd = substringOf(() => 0);

/** concat converts every argument with ToString, in order, exactly as the built-in would. */
const concatImpl: StringImpl = (t, builtin, receiver, args) => {
  const parts = new Array<string>(args.length);
  for (let i = 0; i < args.length; i++) parts[i] = `${args[i]}`;
  const result = Reflect.apply(builtin, receiver, parts) as string;
  return guard(result, () => concatRanges(t, receiver, parts, result));
};

function concatRanges(t: Tainter, receiver: string, parts: string[], result: string): string {
  let pieces: Piece[] | undefined;
  const first = t.ranges(receiver);
  if (first !== undefined) pieces = [{ ranges: first, length: receiver.length }];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const ranges = t.ranges(part);
    if (ranges !== undefined && pieces === undefined) {
      pieces = [{ ranges: undefined, length: receiver.length }];
      for (let j = 0; j < i; j++) pieces.push({ ranges: undefined, length: (parts[j] as string).length });
    }
    pieces?.push({ ranges, length: part.length });
  }
  return pieces === undefined ? result : t.make(result, concat(pieces));
}

const repeatImpl: StringImpl = (t, builtin, receiver, args) => {
  const result = Reflect.apply(builtin, receiver, args) as string;
  const ranges = t.ranges(receiver);
  if (ranges === undefined || result.length === 0) return result;
  return guard(result, () =>
    t.make(result, repeat(ranges, receiver.length, result.length / receiver.length)),
  );
};

/** The filler of padStart/padEnd: the fill string repeated and cut to `length`. */
function fillerRanges(t: Tainter, fill: unknown, length: number): readonly Range[] | undefined {
  if (typeof fill !== 'string' || fill.length === 0 || length <= 0) return undefined;
  const ranges = t.ranges(fill);
  if (ranges === undefined) return undefined;
  return sliceRanges(repeat(ranges, fill.length, Math.ceil(length / fill.length)), 0, length);
}

function pad(atStart: boolean): StringImpl {
  return (t, builtin, receiver, args) => {
    const result = Reflect.apply(builtin, receiver, args) as string;
    return guard(result, () => padRanges(t, atStart, receiver, args, result));
  };
}

function padRanges(t: Tainter, atStart: boolean, receiver: string, args: unknown[], result: string): string {
  const own = t.ranges(receiver);
  const fillLength = result.length - receiver.length;
  // A non-string fill ran its toString inside the built-in; its taint is not followed.
  const filler = fillLength > 0 ? fillerRanges(t, args[1], fillLength) : undefined;
  if (own === undefined && filler === undefined) return result;
  const pieces: Piece[] = atStart
    ? [
        { ranges: filler, length: fillLength },
        { ranges: own, length: receiver.length },
      ]
    : [
        { ranges: own, length: receiver.length },
        { ranges: filler, length: fillLength },
      ];
  return t.make(result, concat(pieces));
}

/**
 * Case changes and normalize. When the length is unchanged every code unit maps to one code
 * unit (full case mappings never shorten text), so the ranges carry over 1:1. When it changes
 * ('ß' -> 'SS', 'İ' -> 'i̇', NFC composition), the receiver is cut at its range boundaries and
 * each segment transformed alone to learn where it lands; that is exact whenever the
 * segment results add up to the real result (checked: by length for case mappings, by text for
 * normalize, whose composition can cross a boundary). Otherwise the result is tainted as a
 * whole: conservative, the first range's source, only the marks every range had.
 */
function transform(compareText: boolean): StringImpl {
  return (t, builtin, receiver, args) => {
    const result = Reflect.apply(builtin, receiver, args) as string;
    const ranges = t.ranges(receiver);
    if (ranges === undefined || result.length === 0) return result;
    return guard(result, () => transformRanges(t, builtin, receiver, args, result, ranges, compareText));
  };
}

function transformRanges(
  t: Tainter,
  builtin: Callable,
  receiver: string,
  args: unknown[],
  result: string,
  ranges: readonly Range[],
  compareText: boolean,
): string {
  if (result.length === receiver.length && !compareText) return t.make(result, ranges);
  if (result === receiver) return t.make(result, ranges);
  // Locale arguments that are objects would run their toString again per segment.
  if (anyObject(args)) return t.make(result, whole(ranges, result.length));
  const apply = (segment: string): string => Reflect.apply(builtin, segment, args) as string;
  return t.make(result, segmented(apply, receiver, ranges, result, compareText));
}

/**
 * The ranges of `result = apply(input)` found segment by segment (see above): exact when the
 * segments' results add up to `result` (by text when `compareText`, else by length), else
 * the whole result, conservatively. A segment that makes `apply` throw also gives the whole.
 */
export function segmented(
  apply: (segment: string) => string,
  input: string,
  ranges: readonly Range[],
  result: string,
  compareText: boolean,
  snap?: (input: string, cut: number) => number,
): readonly Range[] {
  let from = boundaries(ranges, input.length);
  if (snap !== undefined) {
    // Cuts moved off indivisible units (an escape sequence); a range then covers the whole
    // output of the segments it touches, which remap does.
    from = [...new Set(from.map((cut, i) => (i === 0 || i === from.length - 1 ? cut : snap(input, cut))))];
  }
  const to = [0];
  let text = '';
  try {
    for (let i = 0; i + 1 < from.length; i++) {
      const segment = apply(input.slice(from[i], from[i + 1]));
      if (compareText) text += segment;
      to.push((to[to.length - 1] as number) + segment.length);
    }
  } catch {
    return whole(ranges, result.length);
  }
  const exact = compareText ? text === result : to[to.length - 1] === result.length;
  return exact ? remap(ranges, from, to) : whole(ranges, result.length);
}

const caseChange = transform(false);
const normalize = transform(true);

export const STRING_IMPLS = {
  concat: concatImpl,
  slice,
  substring,
  substr,
  trim,
  trimStart,
  trimEnd,
  trimLeft: trimStart,
  trimRight: trimEnd,
  toLowerCase: caseChange,
  toUpperCase: caseChange,
  toLocaleLowerCase: caseChange,
  toLocaleUpperCase: caseChange,
  padStart: pad(true),
  padEnd: pad(false),
  repeat: repeatImpl,
  at,
  charAt,
  normalize,
} satisfies Record<string, StringImpl>;
