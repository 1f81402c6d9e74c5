/**
 * The wrapper a security control puts around the function it names: a sanitizer's result is
 * returned with the control's secure marks (a promise's value, for an async sanitizer); an
 * input validator's arguments (the listed positions, or all) are marked where they are before
 * it runs, whatever it returns, as Datadog's tracer does. Failures are the guard's: the
 * application always gets the original call's result.
 */
import type { TaintEngine } from '../taint/types.js';
import { markedCopy, markInPlace } from './marks.js';
import type { SecurityControl } from './parse.js';

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

export function controlWrapper(
  control: Pick<SecurityControl, 'kind' | 'marks' | 'parameters'>,
  engine: () => TaintEngine | undefined,
  guard: (error: unknown) => void,
): (original: AnyFunction) => AnyFunction {
  const { kind, marks, parameters } = control;
  return (original) =>
    function (this: unknown, ...args: unknown[]): unknown {
      const e = engine();
      if (e !== undefined && kind === 'INPUT_VALIDATOR') {
        try {
          args.forEach((arg, i) => {
            if (parameters === undefined || parameters.includes(i)) markInPlace(e, arg, marks);
          });
        } catch (error) {
          guard(error);
        }
      }
      const result = new.target
        ? Reflect.construct(original, args, new.target)
        : Reflect.apply(original, this, args);
      if (e === undefined || kind !== 'SANITIZER') return result;
      try {
        if (result instanceof Promise) return result.then((value) => marking(e, value, marks, guard));
        return markedCopy(e, result, marks);
      } catch (error) {
        guard(error);
        return result;
      }
    };
}

function marking(
  engine: TaintEngine,
  value: unknown,
  marks: number,
  guard: (error: unknown) => void,
): unknown {
  try {
    return markedCopy(engine, value, marks);
  } catch (error) {
    guard(error);
    return value;
  }
}
