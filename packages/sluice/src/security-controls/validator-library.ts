/**
 * Built-in input validators: validator.js functions whose accepted strings are made only of
 * characters no injection can use (digits, letters, signs, hexadecimal, a UUID's dashes) or
 * are one of the application's own values (isIn). When such a function returns true, its
 * first argument is marked safe for every taint-based type, in place, so the application's
 * next use of the same string is not reported.
 *
 * Unlike user-declared input validators (which mark when called, as Datadog's tracer does),
 * these mark only on `true`: an application that ignores a failed check still gets the
 * finding. isAlpha/isAlphanumeric count only without an `ignore` option (which lets any
 * character through). isEmail, isURL, isFQDN and isIP are not here on purpose: an address
 * may hold quotes, slashes and shell metacharacters, and a valid URL or IP is exactly what
 * an SSRF needs.
 */
import type { ModulePatch } from '../instrument/require-hook.js';
import type { TaintEngine } from '../taint/types.js';
import { ALL_MARKS } from '../vulnerability-types.js';
import { markInPlace } from './marks.js';

export const SUPPORTED = { module: 'validator', versions: '>=13.0.0 <14' } as const;

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;
type Wrap = (target: object, name: string, factory: (original: AnyFunction) => AnyFunction) => void;

/** Validators whose `true` makes their first argument safe for every type. */
export const SAFE_WHEN_VALID = [
  'isInt',
  'isFloat',
  'isNumeric',
  'isDecimal',
  'isUUID',
  'isHexadecimal',
  'isMongoId',
  'isBoolean',
  'isPort',
  'isMD5',
  'isHash',
  'isOctal',
  'isJWT',
  'isIn',
] as const;

/** Safe when valid unless their options (third argument) carry `ignore`. */
const SAFE_WITHOUT_IGNORE = ['isAlpha', 'isAlphanumeric'] as const;

export function validatorLibraryPatch(
  engine: () => TaintEngine | undefined,
  wrap: Wrap,
  guard: (error: unknown) => void,
): ModulePatch {
  const marking =
    (applies: (args: unknown[]) => boolean) =>
    (original: AnyFunction): AnyFunction =>
      function (this: unknown, ...args: unknown[]): unknown {
        const result = Reflect.apply(original, this, args);
        const e = engine();
        if (result === true && e !== undefined) {
          try {
            if (applies(args)) markInPlace(e, args[0], ALL_MARKS);
          } catch (error) {
            guard(error);
          }
        }
        return result;
      };
  return {
    package: SUPPORTED.module,
    file: 'index.js',
    versions: SUPPORTED.versions,
    // Not named `exports`: compiled to CommonJS, this module's own exports go by that name.
    patch: (library) => {
      const target = library as object;
      for (const name of SAFE_WHEN_VALID)
        wrap(
          target,
          name,
          marking(() => true),
        );
      for (const name of SAFE_WITHOUT_IGNORE)
        wrap(
          target,
          name,
          marking((args) => (args[2] as { ignore?: unknown } | undefined)?.ignore === undefined),
        );
    },
  };
}
