/**
 * replace / replaceAll with exact ranges. The built-in is called once with the original
 * pattern and a replacement FUNCTION of ours in place of the caller's replacement: for a
 * caller's function it forwards the call unchanged (same `this`, same arguments) and
 * converts the return value with ToString as the built-in would; for a caller's string it
 * performs GetSubstitution (`$$ $& $\` $' $n $nn $<name>`) itself. Either way it records each
 * match's position, length and replacement, from which the result's ranges follow: surviving
 * receiver text keeps its ranges, each replacement brings its own.
 *
 * The wrapping is only done when it cannot be observed: the pattern is a primitive or a plain
 * RegExp (a custom Symbol.replace would see our function), and the replacement is a string or
 * a function (anything else would have had ToString called at a different moment).
 */
import { types } from 'node:util';
import { concat, type Piece, sliceRanges } from '../taint/ranges.js';
import type { Range } from '../taint/types.js';
import { type Callable, isObject } from './coerce.js';
import { locateRanges } from './locate.js';
import { guard, type Tainter } from './tainter.js';

const regExpProto = RegExp.prototype;
const builtinRegExpReplace = RegExp.prototype[Symbol.replace];

function isPlainRegExp(value: object): boolean {
  return (
    types.isRegExp(value) &&
    Object.getPrototypeOf(value) === regExpProto &&
    !Object.hasOwn(value, Symbol.replace) &&
    regExpProto[Symbol.replace] === builtinRegExpReplace
  );
}

interface Substitution {
  readonly text: string;
  readonly pieces: Piece[];
}

/**
 * GetSubstitution (ECMA-262, String.prototype.replace) with the origin of every piece:
 * literal template text keeps the template's ranges, references take the receiver's.
 */
export function substitute(
  t: Tainter,
  matched: string,
  str: string,
  position: number,
  captures: readonly unknown[],
  named: unknown,
  template: string,
  templateRanges: readonly Range[] | undefined,
  strRanges: readonly Range[] | undefined,
): Substitution {
  let text = '';
  const pieces: Piece[] = [];
  const literal = (from: number, to: number): void => {
    text += template.slice(from, to);
    pieces.push({ ranges: templateRanges && sliceRanges(templateRanges, from, to), length: to - from });
  };
  const fromStr = (from: number, to: number): void => {
    text += str.slice(from, to);
    pieces.push({ ranges: strRanges && sliceRanges(strRanges, from, to), length: Math.max(0, to - from) });
  };
  const capture = (value: string): void => {
    // Capture positions are not reported by exec: the capture is found inside the match.
    const inMatch = str.indexOf(value, position);
    if (strRanges !== undefined && inMatch !== -1 && inMatch + value.length <= position + matched.length) {
      fromStr(inMatch, inMatch + value.length);
    } else {
      text += value;
      pieces.push({ ranges: t.ranges(value), length: value.length });
    }
  };
  const m = captures.length;
  let i = 0;
  let literalFrom = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar === -1 || dollar + 1 >= template.length) break;
    const next = template.charCodeAt(dollar + 1);
    let consumed = 0;
    let emit: (() => void) | undefined;
    if (next === 0x24 /* $ */) {
      consumed = 2;
      emit = () => literal(dollar, dollar + 1);
    } else if (next === 0x26 /* & */) {
      consumed = 2;
      emit = () => {
        if (str.startsWith(matched, position)) fromStr(position, position + matched.length);
        else capture(matched);
      };
    } else if (next === 0x60 /* ` */) {
      consumed = 2;
      emit = () => fromStr(0, Math.min(position, str.length));
    } else if (next === 0x27 /* ' */) {
      consumed = 2;
      const tail = position + matched.length;
      emit = () => {
        if (tail < str.length) fromStr(tail, str.length);
      };
    } else if (next >= 0x30 && next <= 0x39) {
      const d1 = next - 0x30;
      const c2 = template.charCodeAt(dollar + 2);
      const two = c2 >= 0x30 && c2 <= 0x39 ? d1 * 10 + (c2 - 0x30) : -1;
      let index = -1;
      if (two !== -1 && two >= 1 && two <= m) {
        index = two;
        consumed = 3;
      } else if (d1 >= 1 && d1 <= m) {
        index = d1;
        consumed = 2;
      }
      if (index !== -1) {
        const value = captures[index - 1];
        emit = () => {
          if (value !== undefined) capture(value as string);
        };
      }
    } else if (next === 0x3c /* < */ && named !== undefined) {
      const gt = template.indexOf('>', dollar + 2);
      if (gt !== -1) {
        consumed = gt + 1 - dollar;
        const value = (named as Record<string, unknown>)[template.slice(dollar + 2, gt)];
        emit = () => {
          if (value !== undefined) capture(`${value}`);
        };
      }
    }
    if (emit === undefined) {
      // Not a reference: the "$" stays literal text.
      i = dollar + 1;
      continue;
    }
    if (dollar > literalFrom) literal(literalFrom, dollar);
    emit();
    i = dollar + consumed;
    literalFrom = i;
  }
  if (literalFrom < template.length) literal(literalFrom, template.length);
  return { text, pieces };
}

export function replaceImpl(t: Tainter, builtin: Callable, receiver: string, args: unknown[]): unknown {
  const pattern = args[0];
  const replacement = args[1];
  const own = t.ranges(receiver);
  const byFunction = typeof replacement === 'function';
  const wrappable =
    (byFunction || typeof replacement === 'string') && (!isObject(pattern) || isPlainRegExp(pattern));
  if (!wrappable) {
    const result = Reflect.apply(builtin, receiver, args);
    if (typeof result !== 'string' || !t.hasTaint()) return result;
    // The pattern's own Symbol.replace or an unusual replacement: text search is the best guess.
    return guard(result, () => {
      const ranges = locateRanges(t, result, [receiver, replacement]);
      return ranges === undefined ? result : t.make(result, ranges);
    });
  }
  const templateRanges = byFunction ? undefined : t.ranges(replacement);
  if (own === undefined && templateRanges === undefined && (!byFunction || !t.hasTaint())) {
    return Reflect.apply(builtin, receiver, args);
  }
  // Per match: position, match length, replacement pieces.
  const records: MatchRecord[] = [];
  const wrapper = function (this: unknown, ...callArgs: unknown[]): string {
    const matched = `${callArgs[0]}`;
    let last = callArgs.length - 1;
    const named = typeof callArgs[last] === 'string' ? undefined : callArgs[last--];
    const str = callArgs[last] as string;
    const position = callArgs[last - 1] as number;
    let text: string;
    let pieces: Piece[];
    if (byFunction) {
      text = `${Reflect.apply(replacement as Callable, this, callArgs)}`;
      pieces = [{ ranges: t.ranges(text), length: text.length }];
    } else {
      const captures = callArgs.slice(1, last - 1);
      ({ text, pieces } = substitute(
        t,
        matched,
        str,
        position,
        captures,
        named,
        replacement as string,
        templateRanges,
        own,
      ));
    }
    records.push({ position, length: matched.length, pieces, text });
    return text;
  };
  const wrappedArgs = args.slice();
  wrappedArgs[1] = wrapper;
  const result = Reflect.apply(builtin, receiver, wrappedArgs) as string;
  return guard(result, () => assemble(t, receiver, replacement, own, records, result));
}

interface MatchRecord {
  readonly position: number;
  readonly length: number;
  readonly pieces: Piece[];
  readonly text: string;
}

function assemble(
  t: Tainter,
  receiver: string,
  replacement: unknown,
  own: readonly Range[] | undefined,
  records: readonly MatchRecord[],
  result: string,
): string {
  // Accumulate as the specification does: a match starting before the end of the previous
  // one is replaced by nothing (only possible with a custom exec).
  const pieces: Piece[] = [];
  let next = 0;
  let length = 0;
  for (const record of records) {
    if (record.position < next) continue;
    pieces.push({ ranges: own && sliceRanges(own, next, record.position), length: record.position - next });
    pieces.push(...record.pieces);
    length += record.position - next + record.text.length;
    next = record.position + record.length;
  }
  if (next < receiver.length) {
    pieces.push({ ranges: own && sliceRanges(own, next, receiver.length), length: receiver.length - next });
    length += receiver.length - next;
  }
  if (length !== result.length) {
    // Should not happen with a plain RegExp; never guess positions that do not add up.
    const ranges = locateRanges(t, result, [receiver, replacement]);
    return ranges === undefined ? result : t.make(result, ranges);
  }
  return t.make(result, concat(pieces));
}
