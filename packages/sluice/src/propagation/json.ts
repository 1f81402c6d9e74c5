/**
 * JSON.parse and JSON.stringify.
 *
 * parse: the text's string tokens that overlap a tainted range are decoded (escapes mapped
 * back to their source characters) into a table from decoded value to ranges; every string
 * value of the result found in that table is replaced by a tainted copy. Object keys are
 * registered too, which only the fallback engine can keep (a native tainted key is
 * internalised into an untainted twin, a V8 limit). With a reviver, the reviver receives the
 * tainted values (through a forwarding reviver: same `this`, same arguments otherwise).
 *
 * stringify: a forwarding replacer (or the caller's, wrapped) sees every value after toJSON,
 * in output order; each tainted string's quoted form is then found in the output, moving
 * forward, and its ranges are laid through the escaping.
 */
import { concat, makeRange, type Piece, shift, sliceRanges } from '../taint/ranges.js';
import type { Range } from '../taint/types.js';
import { isObject } from './coerce.js';
import { guard, type Tainter } from './tainter.js';

const builtinParse = JSON.parse;
const builtinStringify = JSON.stringify;

/** Decoded string value -> ranges, for the tainted string tokens of a JSON text. */
function taintedTokens(text: string, ranges: readonly Range[]): Map<string, readonly Range[]> {
  const table = new Map<string, readonly Range[]>();
  let i = text.indexOf('"');
  while (i !== -1) {
    let j = i + 1;
    let escaped = false;
    for (;;) {
      const c = text.charCodeAt(j);
      if (c === 0x22 /* " */) break;
      if (c === 0x5c /* \ */) {
        escaped = true;
        j += 2;
      } else if (Number.isNaN(c)) {
        return table;
      } else {
        j++;
      }
    }
    const tokenRanges = sliceRanges(ranges, i + 1, j);
    if (tokenRanges.length !== 0) {
      const token = text.slice(i, j + 1);
      let value: string;
      try {
        value = builtinParse(token) as string;
      } catch {
        // Not valid JSON: the real parse reports it with its own message.
        return table;
      }
      if (value.length !== 0 && !table.has(value)) {
        table.set(value, escaped ? throughEscapes(token, tokenRanges) : tokenRanges);
      }
    }
    i = text.indexOf('"', j + 1);
  }
  return table;
}

/** Width in the token of each decoded code unit: "\n" is 2, "\u0041" is 6, plain is 1. */
function throughEscapes(token: string, ranges: readonly Range[]): readonly Range[] {
  const pieces: Piece[] = [];
  let at = 1;
  while (at < token.length - 1) {
    const width = token.charCodeAt(at) === 0x5c ? (token.charCodeAt(at + 1) === 0x75 /* u */ ? 6 : 2) : 1;
    // A decoded unit is tainted as its escape's first source character is.
    pieces.push({ ranges: unit(sliceRanges(ranges, at - 1, at)), length: 1 });
    at += width;
  }
  return concat(pieces);
}

function unit(ranges: readonly Range[]): readonly Range[] | undefined {
  return ranges.length === 0 ? undefined : ranges;
}

export function jsonParseImpl(t: Tainter, json: unknown, args: unknown[]): unknown {
  const text = args[0];
  const ranges = t.ranges(text);
  if (ranges === undefined) return Reflect.apply(builtinParse, json, args);
  let table = new Map<string, readonly Range[]>();
  const tainted = (value: unknown): unknown => {
    if (typeof value !== 'string') return value;
    const found = table.get(value);
    return found === undefined ? value : guard(value, () => t.make(value, found));
  };
  // A tainted key only survives in the fallback engine (V8 internalises native ones).
  const keys = t.engine.kind === 'js';
  const reviver = args[1];
  if (typeof reviver === 'function') {
    table = guard(table, () => taintedTokens(text as string, ranges));
    const forwarding = function (this: unknown, key: unknown, value: unknown, ...rest: unknown[]): unknown {
      if (keys) tainted(key);
      return Reflect.apply(reviver, this, [key, tainted(value), ...rest]);
    };
    const wrapped = args.slice();
    wrapped[1] = forwarding;
    return Reflect.apply(builtinParse, json, wrapped);
  }
  const result = Reflect.apply(builtinParse, json, args);
  return guard(result, () => {
    table = taintedTokens(text as string, ranges);
    return taintParsed(result, table.size === 0 ? undefined : tainted, keys);
  });
}

/** Replaces the strings of a fresh JSON.parse result by their tainted copies. */
function taintParsed(
  result: unknown,
  tainted: ((value: unknown) => unknown) | undefined,
  keys: boolean,
): unknown {
  if (tainted === undefined) return result;
  if (!isObject(result)) return tainted(result);
  // The result is fresh plain data: walking it and replacing strings is unobservable.
  const stack: object[] = [result];
  while (stack.length !== 0) {
    const node = stack.pop() as Record<string, unknown>;
    for (const key of Object.keys(node)) {
      if (keys) tainted(key);
      const value = node[key];
      if (typeof value === 'string') node[key] = tainted(value);
      else if (isObject(value)) stack.push(value);
    }
  }
  return result;
}

/** Width in JSON.stringify's output of each code unit of a string (the quotes excluded). */
function escapedWidth(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x0c || c === 0x0a || c === 0x0d || c === 0x09)
    return 2;
  if (c < 0x20) return 6;
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = text.charCodeAt(i + 1);
    return d >= 0xdc00 && d <= 0xdfff ? 1 : 6;
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const p = text.charCodeAt(i - 1);
    return p >= 0xd800 && p <= 0xdbff ? 1 : 6;
  }
  return 1;
}

/** The ranges of a string's ranges inside its quoted JSON form, which starts at `at`. */
function intoQuoted(text: string, quoted: string, ranges: readonly Range[], at: number): readonly Range[] {
  if (quoted.length === text.length + 2) return shift(ranges, at + 1);
  const pieces: Piece[] = [{ ranges: undefined, length: at + 1 }];
  for (let i = 0; i < text.length; i++) {
    const width = escapedWidth(text, i);
    const r = sliceRanges(ranges, i, i + 1)[0];
    // The whole escape sequence stands for the tainted character.
    pieces.push({ ranges: r && [makeRange(0, width, r.source, r.marks)], length: width });
  }
  return concat(pieces);
}

export function jsonStringifyImpl(t: Tainter, json: unknown, args: unknown[]): unknown {
  const replacer = args[1];
  if (!t.hasTaint() || (replacer !== undefined && replacer !== null && typeof replacer !== 'function')) {
    // A property allow-list is not followed (documented); nothing tainted, nothing to do.
    return Reflect.apply(builtinStringify, json, args);
  }
  const seen: string[] = [];
  const forwarding = function (this: unknown, key: string, value: unknown): unknown {
    const out = typeof replacer === 'function' ? Reflect.apply(replacer, this, [key, value]) : value;
    if (typeof out === 'string' && t.ranges(out) !== undefined) seen.push(out);
    return out;
  };
  const wrapped = args.length === 0 ? [undefined, forwarding] : args.slice();
  wrapped[1] = forwarding;
  const result = Reflect.apply(builtinStringify, json, wrapped) as unknown;
  if (typeof result !== 'string' || seen.length === 0) return result;
  return guard(result, () => placeStrings(t, result, seen));
}

function placeStrings(t: Tainter, result: string, seen: readonly string[]): string {
  const pieces: Range[] = [];
  let cursor = 0;
  for (const text of seen) {
    const quoted = builtinStringify(text);
    const at = result.indexOf(quoted, cursor);
    if (at === -1) continue;
    pieces.push(...intoQuoted(text, quoted, t.ranges(text) as readonly Range[], at));
    cursor = at + quoted.length;
  }
  return t.make(result, pieces);
}
