/**
 * The propagation runtime: the object rewritten code calls (see contract.ts). Built-ins are
 * captured when the runtime is created, so that a later monkey-patch of String.prototype is
 * treated like any user function: called untouched, not propagated.
 *
 * Cost when nothing is tainted: `plus` on two non-strings is one typeof pair and the real `+`;
 * on strings it is the concatenation plus one look-up per operand (a native call of a few
 * nanoseconds, or an AsyncLocalStorage read for the fallback engine). Method helpers add one
 * property read and an identity comparison.
 */
import { types } from 'node:util';
import { concat, concat2, normalise, type Piece, shift } from '../taint/ranges.js';
import type { Range, TaintEngine } from '../taint/types.js';
import { type Callable, isObject, notCallable, toLength, toPrimitiveDefault } from './coerce.js';
import { type PropagationRuntime, STRING_METHODS, type StringMethod } from './contract.js';
import { jsonParseImpl, jsonStringifyImpl } from './json.js';
import { locateRanges } from './locate.js';
import { replaceImpl } from './replace.js';
import { splitImpl } from './split.js';
import { STRING_IMPLS, type StringImpl } from './string-methods.js';
import { createTainter, guard, type Tainter } from './tainter.js';

export interface RuntimeOptions {
  /**
   * Called with the argument of every direct eval whose code is a tainted string (the
   * code-injection analyzer's hook point). Its errors are swallowed: Sluice fails open.
   */
  onEval?: (code: string, ranges: readonly Range[]) => void;
}

const stringProto = String.prototype as unknown as Record<string, Callable>;
const arrayJoin = Array.prototype.join;
const builtinRaw = String.raw;
const builtinJsonParse = JSON.parse;
const builtinJsonStringify = JSON.stringify;
// biome-ignore lint/security/noGlobalEval: the built-in is compared by identity and called indirectly
const builtinEval = globalThis.eval;

const IMPLS: Record<StringMethod, StringImpl> = {
  ...STRING_IMPLS,
  replace: replaceImpl,
  replaceAll: replaceImpl,
  split: splitImpl,
};

type MethodHelper = (receiver: unknown, ...args: unknown[]) => unknown;

function methodHelper(t: Tainter, name: string, builtin: Callable, impl: StringImpl): MethodHelper {
  const helper = (receiver: unknown, ...args: unknown[]): unknown => {
    // Reading the property throws for null/undefined exactly as `receiver.name(...)` does.
    const fn = (receiver as Record<string, unknown>)[name];
    if (fn === builtin && typeof receiver === 'string') {
      // No tainted string exists (an idle service, a request left out): the built-in alone.
      return t.hasTaint() ? impl(t, builtin, receiver, args) : Reflect.apply(builtin, receiver, args);
    }
    if (typeof fn !== 'function') throw notCallable(name);
    return Reflect.apply(fn, receiver, args);
  };
  Object.defineProperty(helper, 'name', { value: name });
  return helper;
}

function joinHelper(t: Tainter): MethodHelper {
  return (receiver, ...args) => {
    const fn = (receiver as Record<string, unknown>).join;
    if (typeof fn !== 'function') throw notCallable('join');
    const result = Reflect.apply(fn, receiver, args) as unknown;
    if (fn !== arrayJoin || typeof result !== 'string' || result.length === 0) return result;
    if (!Array.isArray(receiver) || types.isProxy(receiver) || !t.hasTaint()) return result;
    return guard(result, () => {
      const ranges = joinRanges(t, receiver, args[0], result);
      return ranges === undefined ? result : t.make(result, ranges);
    });
  };
}

/**
 * Where the elements and separators landed in a join's result. The array is read again
 * through property descriptors, which runs no getter and no toString. The text of an object
 * element (or an accessor) is unknown without running user code again, so pieces are laid
 * forward from the start up to the first unknown one and backward from the end down to the
 * last one; tainted strings between two unknown pieces are found by text search.
 */
function joinRanges(
  t: Tainter,
  array: unknown[],
  separatorArg: unknown,
  result: string,
): readonly Range[] | undefined {
  const separator = separatorArg === undefined ? ',' : separatorArg;
  if (typeof separator !== 'string') return locateRanges(t, result, Array.from(array));
  const sepRanges = t.ranges(separator);
  // Per element: its text, or undefined when unknown.
  const texts: Array<string | undefined> = [];
  let tainted = sepRanges !== undefined;
  const length = toLength(array.length);
  for (let i = 0; i < length; i++) {
    const desc = Object.getOwnPropertyDescriptor(array, i);
    const value: unknown = desc === undefined ? undefined : 'value' in desc ? desc.value : desc;
    if (desc !== undefined && !('value' in desc)) texts.push(undefined);
    else if (isObject(value)) texts.push(undefined);
    else {
      const text = value === undefined || value === null ? '' : `${value as string}`;
      if (!tainted && t.ranges(text) !== undefined) tainted = true;
      texts.push(text);
    }
  }
  if (!tainted) return undefined;
  const found: Range[] = [];
  const place = (ranges: readonly Range[] | undefined, at: number): void => {
    if (ranges !== undefined) found.push(...shift(ranges, at));
  };
  let head = 0;
  let i = 0;
  for (; i < texts.length; i++) {
    const text = texts[i];
    if (text === undefined) break;
    if (i > 0) {
      place(sepRanges, head);
      head += separator.length;
    }
    place(t.ranges(text), head);
    head += text.length;
  }
  if (i < texts.length) {
    let tail = result.length;
    let j = texts.length - 1;
    for (; j > i; j--) {
      const text = texts[j];
      if (text === undefined) break;
      tail -= text.length;
      place(t.ranges(text), tail);
      tail -= separator.length;
      place(sepRanges, tail);
    }
    const middle = locateRanges(t, result.slice(head, tail), texts.slice(i, j + 1));
    if (middle !== undefined) place(middle, head);
  }
  return normalise(found, result.length);
}

export function createPropagationRuntime(
  engine: TaintEngine,
  options: RuntimeOptions = {},
): PropagationRuntime {
  const t = createTainter(engine);
  const surelyUntainted = t.surelyUntainted;
  const methods = {} as Record<StringMethod, MethodHelper>;
  for (const name of STRING_METHODS) {
    methods[name] = methodHelper(t, name, stringProto[name] as Callable, IMPLS[name]);
  }

  function plus(left: unknown, right: unknown): unknown {
    if (typeof left === 'string') {
      if (typeof right === 'string') {
        const result = left + right;
        if (surelyUntainted()) return result;
        // The engine directly (not t.ranges): this is the hottest path of the agent.
        const a = engine.getRanges(left);
        const b = engine.getRanges(right);
        if (a === undefined && b === undefined) return result;
        return guard(result, () => t.make(result, concat2(a, left.length, b)));
      }
    } else if (typeof right !== 'string' && !isObject(left) && !isObject(right)) {
      // Numbers, booleans, bigints, null, undefined: nothing can carry taint.
      return (left as number) + (right as number);
    }
    // ToPrimitive on each side once, in order, then the real `+` on the primitives.
    const a = isObject(left) ? toPrimitiveDefault(left) : left;
    const b = isObject(right) ? toPrimitiveDefault(right) : right;
    const result: unknown = (a as number) + (b as number);
    if (typeof result !== 'string') return result;
    const ra = typeof a === 'string' ? t.ranges(a) : undefined;
    const rb = typeof b === 'string' ? t.ranges(b) : undefined;
    if (ra === undefined && rb === undefined) return result;
    const leftLength = typeof a === 'string' ? a.length : result.length - (b as string).length;
    return guard(result, () => t.make(result, concat2(ra, leftLength, rb)));
  }

  /** cooked[0] + ToString(values[0]) + cooked[1] + ..., with the values' ranges. */
  function interleave(cooked: ArrayLike<unknown>, values: unknown[], count: number): string {
    let result = `${cooked[0]}`;
    let pieces: Piece[] | undefined;
    let covered = 0;
    for (let i = 0; i < count; i++) {
      const text = i < values.length ? `${values[i]}` : '';
      const ranges = t.ranges(text);
      if (ranges !== undefined) {
        pieces ??= [];
        pieces.push({ ranges: undefined, length: result.length - covered }, { ranges, length: text.length });
        covered = result.length + text.length;
      }
      result += `${text}${cooked[i + 1]}`;
    }
    const found = pieces;
    return found === undefined ? result : guard(result, () => t.make(result, concat(found)));
  }

  function tpl(cooked: readonly string[], ...values: unknown[]): string {
    // interleave() specialised for the hot case: as many values as holes, cooked strings.
    let result = cooked[0] as string;
    if (surelyUntainted()) {
      for (let i = 0; i < values.length; i++) result = `${result}${values[i]}${cooked[i + 1]}`;
      return result;
    }
    let pieces: Piece[] | undefined;
    let covered = 0;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      const text = typeof value === 'string' ? value : `${value}`;
      if (text.length !== 0) {
        const ranges = engine.getRanges(text);
        if (ranges !== undefined) {
          pieces ??= [];
          pieces.push(
            { ranges: undefined, length: result.length - covered },
            { ranges, length: text.length },
          );
          covered = result.length + text.length;
        }
      }
      result = result + text + (cooked[i + 1] as string);
    }
    const found = pieces;
    return found === undefined ? result : guard(result, () => t.make(result, concat(found)));
  }

  function stringRaw(stringCtor: unknown, strings: TemplateStringsArray, ...values: unknown[]): string {
    const raw = (stringCtor as { raw?: unknown }).raw;
    if (raw !== builtinRaw || !isTemplateObject(strings)) {
      if (typeof raw !== 'function') throw notCallable('raw');
      return Reflect.apply(raw, stringCtor, [strings, ...values]) as string;
    }
    const parts = strings.raw;
    if (parts.length === 0) return '';
    return interleave(parts, values, parts.length - 1);
  }

  function string(stringCtor: unknown, ...args: unknown[]): unknown {
    if (typeof stringCtor !== 'function') throw new TypeError('String is not a function');
    // ToString of a string is that very string, so its taint (and an object's toString
    // result's taint) is carried by identity: no range work to do.
    return Reflect.apply(stringCtor, undefined, args);
  }

  function jsonParse(json: unknown, ...args: unknown[]): unknown {
    const fn = (json as { parse?: unknown }).parse;
    if (fn === builtinJsonParse) return jsonParseImpl(t, json, args);
    if (typeof fn !== 'function') throw notCallable('parse');
    return Reflect.apply(fn, json, args);
  }

  function jsonStringify(json: unknown, ...args: unknown[]): unknown {
    const fn = (json as { stringify?: unknown }).stringify;
    if (fn === builtinJsonStringify) return jsonStringifyImpl(t, json, args);
    if (typeof fn !== 'function') throw notCallable('stringify');
    return Reflect.apply(fn, json, args);
  }

  const onEval = options.onEval;
  function evalArg(code: unknown): unknown {
    if (onEval !== undefined && typeof code === 'string') {
      const ranges = t.ranges(code);
      if (ranges !== undefined) {
        try {
          onEval(code, ranges);
        } catch {
          // The analyzer's problem, never the application's.
        }
      }
    }
    return code;
  }

  // Calling builtinEval through a name other than `eval` is an indirect eval: global scope,
  // non-strict unless the code says so, exactly what `(0, eval)(code)` or `e(code)` did. A
  // method has no prototype and cannot be constructed, like eval; it is also named `eval`.
  const indirectEval = {
    eval(code: unknown): unknown {
      evalArg(code);
      return builtinEval(code as string);
    },
  }.eval;

  function evalRef(value: unknown): unknown {
    return value === builtinEval && onEval !== undefined ? indirectEval : value;
  }

  function evalMethod(receiver: unknown, ...args: unknown[]): unknown {
    // Reading the property throws for null/undefined exactly as `receiver.eval(...)` does.
    const fn = (receiver as { eval?: unknown }).eval;
    if (fn === builtinEval) evalArg(args[0]);
    if (typeof fn !== 'function') throw notCallable('eval');
    return Reflect.apply(fn, receiver, args);
  }

  return Object.freeze({
    ...methods,
    join: joinHelper(t),
    plus,
    tpl,
    jsonParse,
    jsonStringify,
    string,
    stringRaw,
    evalArg,
    evalRef,
    evalMethod,
  });
}

/** A template object as the language makes it: a frozen array of strings with a frozen `raw`. */
function isTemplateObject(value: unknown): value is TemplateStringsArray {
  if (!Array.isArray(value) || !Object.isFrozen(value) || types.isProxy(value)) return false;
  const raw = Object.getOwnPropertyDescriptor(value, 'raw')?.value as unknown;
  return (
    Array.isArray(raw) &&
    Object.isFrozen(raw) &&
    !types.isProxy(raw) &&
    raw.every((x) => typeof x === 'string')
  );
}
