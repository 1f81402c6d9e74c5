/**
 * url and URL. The legacy API (url.parse, url.format, url.resolve) through text location.
 * For the WHATWG classes, URL and URLSearchParams are replaced (on globalThis and on the url
 * module) by wrappers sharing the originals' prototypes, so `instanceof`, subclassing and
 * instances made by Node itself behave as before; a wrapper only remembers the tainted input
 * of each instance. The prototype getters (href, pathname, search, host, ...) and the
 * URLSearchParams readers (get, getAll, values, entries, forEach, toString) then locate that
 * input's tainted text, encoded or decoded, in what they return.
 */
import url = require('node:url');

import type { Tainter } from '../tainter.js';
import { allForms, propagateFields, propagatePieceResult, propagateResult, stringInputs } from './common.js';
import { type Patcher, wrapFunction } from './wrap.js';

const URL_GETTERS = [
  'href',
  'origin',
  'protocol',
  'username',
  'password',
  'host',
  'hostname',
  'port',
  'pathname',
  'search',
  'hash',
] as const;

/** The tainted inputs remembered for URL and URLSearchParams instances. */
export type UrlInputs = WeakMap<object, readonly unknown[]>;

export function hookUrl(t: Tainter, patcher: Patcher, inputsOf: UrlInputs): void {
  const legacy = url as unknown as Record<string, unknown>;
  patcher.wrap(legacy, 'parse', (original) =>
    wrapFunction(original, (result, args) => {
      propagateFields(t, result, [args[0]], allForms);
      return result;
    }),
  );
  for (const name of ['format', 'resolve', 'domainToUnicode', 'domainToASCII', 'fileURLToPath'] as const) {
    patcher.wrap(legacy, name, (original) =>
      wrapFunction(original, (result, args) => {
        const inputs = stringInputs(args);
        for (const arg of args) {
          const remembered = typeof arg === 'object' && arg !== null ? inputsOf.get(arg) : undefined;
          if (remembered !== undefined) inputs.push(...remembered);
        }
        return propagateResult(t, result, inputs, allForms);
      }),
    );
  }

  const remember = (result: unknown, args: unknown[]): unknown => {
    if (typeof result === 'object' && result !== null) {
      const inputs = stringInputs(args).filter((s) => t.ranges(s) !== undefined);
      for (const arg of args) {
        const inherited = typeof arg === 'object' && arg !== null ? inputsOf.get(arg) : undefined;
        if (inherited !== undefined) inputs.push(...inherited);
      }
      if (inputs.length !== 0) inputsOf.set(result, inputs);
    }
    return result;
  };
  for (const name of ['URL', 'URLSearchParams'] as const) {
    patcher.wrap(globalThis, name, (original) => wrapFunction(original, remember));
    patcher.wrap(legacy, name, (original) => wrapFunction(original, remember));
  }

  const fromInputs = (result: unknown, self: unknown): unknown => {
    const inputs = typeof self === 'object' && self !== null ? inputsOf.get(self) : undefined;
    return inputs === undefined ? result : propagatePieceResult(t, result, inputs, allForms);
  };
  const urlProto = URL.prototype;
  for (const name of URL_GETTERS) {
    patcher.wrapGetter(
      urlProto,
      name,
      (get) =>
        function (this: unknown) {
          const result = Reflect.apply(get, this, []);
          try {
            return fromInputs(result, this);
          } catch {
            return result;
          }
        },
    );
  }
  patcher.wrapGetter(
    urlProto,
    'searchParams',
    (get) =>
      function (this: unknown) {
        const params = Reflect.apply(get, this, []) as object;
        const inputs = inputsOf.get(this as object);
        if (inputs !== undefined && typeof params === 'object' && params !== null)
          inputsOf.set(params, inputs);
        return params;
      },
  );
  for (const name of ['toString', 'toJSON'] as const) {
    patcher.wrap(urlProto, name, (original) =>
      wrapFunction(original, (result, _args, self) => fromInputs(result, self)),
    );
  }
  const paramsProto = URLSearchParams.prototype;
  patcher.wrap(paramsProto, 'get', (original) =>
    wrapFunction(original, (result, _a, self) => fromInputs(result, self)),
  );
  patcher.wrap(paramsProto, 'toString', (original) =>
    wrapFunction(original, (result, _a, self) => fromInputs(result, self)),
  );
  patcher.wrap(paramsProto, 'getAll', (original) =>
    wrapFunction(original, (result, _a, self) =>
      Array.isArray(result) ? result.map((v) => fromInputs(v, self)) : result,
    ),
  );
  patcher.wrap(
    paramsProto,
    'forEach',
    (original) =>
      function (this: unknown, callback: unknown, ...rest: unknown[]) {
        const self = this;
        const forward =
          typeof callback === 'function'
            ? function (this: unknown, value: unknown, key: unknown, params: unknown) {
                return Reflect.apply(callback, this, [
                  fromInputs(value, self),
                  fromInputs(key, self),
                  params,
                ]);
              }
            : callback;
        return Reflect.apply(original, this, [forward, ...rest]);
      },
  );
  for (const name of ['values', 'entries', Symbol.iterator] as const) {
    patcher.wrap(paramsProto, name, (original) =>
      wrapFunction(original, (iterator, _a, self) =>
        taintingIterator(iterator as Iterator<unknown>, self, fromInputs),
      ),
    );
  }
}

/** The same iteration, with each string (or each string of an entry pair) propagated. */
function taintingIterator(
  iterator: Iterator<unknown>,
  self: unknown,
  fromInputs: (value: unknown, self: unknown) => unknown,
): Iterator<unknown> {
  const next = iterator.next;
  const proto = Object.getPrototypeOf(iterator) as object;
  const tainting = Object.create(proto) as Iterator<unknown>;
  tainting.next = function (this: unknown) {
    const step = Reflect.apply(next, iterator, []) as IteratorResult<unknown>;
    if (step.done) return step;
    const value = Array.isArray(step.value)
      ? step.value.map((v) => fromInputs(v, self))
      : fromInputs(step.value, self);
    return { done: false, value };
  };
  return tainting;
}
