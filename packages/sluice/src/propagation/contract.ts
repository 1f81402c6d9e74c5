/**
 * The contract between the rewriter (which emits calls) and the propagation runtime (which
 * answers them). Rewritten code reads the runtime once per module from a global symbol into a
 * local binding, then calls it:
 *
 *   a + b                 ->  __sluice$.plus(a, b)
 *   x += y   (x a name)   ->  x = __sluice$.plus(x, y)
 *   `a${x}b${y}`          ->  __sluice$.tpl(["a", "b", ""], x, y)      (cooked strings)
 *   s.slice(1, 2)         ->  __sluice$.slice(s, 1, 2)                  (any name in STRING_METHODS)
 *   arr.join(",")         ->  __sluice$.join(arr, ",")
 *   JSON.parse(t)         ->  __sluice$.jsonParse(JSON, t)
 *   JSON.stringify(v)     ->  __sluice$.jsonStringify(JSON, v)
 *   String(x)             ->  __sluice$.string(String, x)
 *   String.raw`...`       ->  __sluice$.stringRaw(String, strings, ...values)
 *   eval(code)            ->  eval(__sluice$.evalArg(code))              (stays a direct eval)
 *   (0, eval), e = eval   ->  (0, __sluice$.evalRef(eval)), e = __sluice$.evalRef(eval)
 *   o.eval(code)          ->  __sluice$.evalMethod(o, code)             (indirect, as before)
 *
 * Every helper computes exactly what the original expression computes (it performs the same
 * operation on the same values, so `this`, getters, coercions and thrown errors are the
 * originals'), and adds taint only when the callee really is the built-in and the operands
 * are strings. Receiver and arguments are evaluated in the original order before the call;
 * see docs/internals/propagation.md for the few observable differences.
 */

/** Global symbol under which init installs the propagation runtime. */
export const RUNTIME_SYMBOL_KEY = 'sluice.propagation';

/** Local binding name the rewriter declares in each rewritten module. */
export const RUNTIME_LOCAL = '__sluice$';

/** String.prototype methods whose calls are rewritten to `__sluice$.<name>(receiver, ...args)`. */
export const STRING_METHODS = [
  'concat',
  'slice',
  'substring',
  'substr',
  'trim',
  'trimStart',
  'trimEnd',
  'trimLeft',
  'trimRight',
  'toLowerCase',
  'toUpperCase',
  'toLocaleLowerCase',
  'toLocaleUpperCase',
  'replace',
  'replaceAll',
  'split',
  'padStart',
  'padEnd',
  'repeat',
  'at',
  'charAt',
  'normalize',
] as const;

export type StringMethod = (typeof STRING_METHODS)[number];

type MethodHelper = (receiver: unknown, ...args: unknown[]) => unknown;

/** What rewritten code calls. */
export type PropagationRuntime = { readonly [M in StringMethod]: MethodHelper } & {
  readonly join: MethodHelper;
  plus(left: unknown, right: unknown): unknown;
  tpl(cooked: readonly string[], ...values: unknown[]): string;
  jsonParse(json: unknown, ...args: unknown[]): unknown;
  jsonStringify(json: unknown, ...args: unknown[]): unknown;
  string(stringCtor: unknown, ...args: unknown[]): unknown;
  stringRaw(stringCtor: unknown, strings: TemplateStringsArray, ...values: unknown[]): string;
  evalArg(code: unknown): unknown;
  /** The built-in eval as an indirect eval that reports tainted code; anything else as is. */
  evalRef(value: unknown): unknown;
  evalMethod: MethodHelper;
};
