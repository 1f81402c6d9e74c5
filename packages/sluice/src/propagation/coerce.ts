/**
 * The ECMAScript conversions that the helpers must perform themselves, exactly once and in
 * the original order, to know the strings an operation combines (calling the built-in and
 * then converting again would run user toString/valueOf twice).
 */

export function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/**
 * ToPrimitive(value, hint "default") as `a + b` performs it: Symbol.toPrimitive if present,
 * else valueOf then toString. Same calls, same order, same TypeErrors as the engine.
 */
export function toPrimitiveDefault(value: unknown): unknown {
  if (!isObject(value)) return value;
  const exotic = (value as { [Symbol.toPrimitive]?: unknown })[Symbol.toPrimitive];
  if (exotic !== undefined && exotic !== null) {
    if (typeof exotic !== 'function') throw new TypeError(`${describe(exotic)} is not a function`);
    const result: unknown = Reflect.apply(exotic, value, ['default']);
    if (isObject(result)) throw new TypeError('Cannot convert object to primitive value');
    return result;
  }
  for (const name of ['valueOf', 'toString'] as const) {
    const method = (value as Record<string, unknown>)[name];
    if (typeof method === 'function') {
      const result: unknown = Reflect.apply(method, value, []);
      if (!isObject(result)) return result;
    }
  }
  throw new TypeError('Cannot convert object to primitive value');
}

/** How V8 names a non-callable value in "... is not a function". */
function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'symbol' || isObject(value)) return typeof value;
  return `${typeof value} ${String(value)}`;
}

/**
 * ToIntegerOrInfinity for a value that is not an object (callers check; for objects the
 * built-in already ran valueOf and it must not run again). Symbols and BigInts never reach
 * here: the built-in threw for them first.
 */
export function toIntegerOrInfinity(value: unknown): number {
  const n = Number(value);
  if (Number.isNaN(n) || n === 0) return 0;
  return Math.trunc(n);
}

/** ToLength for a non-object value. */
export function toLength(value: unknown): number {
  const n = toIntegerOrInfinity(value);
  return n <= 0 ? 0 : Math.min(n, Number.MAX_SAFE_INTEGER);
}

/** The TypeError of calling a property that is not a function (V8's wording for a computed receiver). */
export function notCallable(name: string): TypeError {
  return new TypeError(`(intermediate value).${name} is not a function`);
}

/** Any function value, as the helpers pass built-ins and user callbacks around. */
export type Callable = (...args: never[]) => unknown;
