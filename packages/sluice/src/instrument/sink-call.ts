/**
 * The wrapper every sink instrumentation puts around a hooked function: publish what the call
 * is about to do (only when someone listens), then call the original untouched. A failure
 * while building or publishing the message is the guard's, never the application's.
 */
import { promisify } from 'node:util';
import type { TypedChannel } from '../channels.js';
import { unwrapped } from './shim.js';

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

export function publishingCall<M>(
  ch: TypedChannel<M>,
  guard: (error: unknown) => void,
  message: (args: unknown[], self: unknown) => M | undefined,
): (original: AnyFunction) => AnyFunction {
  return (original) =>
    function (this: unknown, ...args: unknown[]): unknown {
      if (ch.hasSubscribers) {
        try {
          const m = message(args, this);
          if (m !== undefined) ch.publish(m);
        } catch (error) {
          guard(error);
        }
      }
      return new.target ? Reflect.construct(original, args, new.target) : Reflect.apply(original, this, args);
    };
}

/**
 * Keeps `util.promisify(target[name])` working and observed: Node gives exec, execFile and
 * fs.exists a custom promisified form, which a plain wrapper would hide. The installed
 * wrapper gets the original's custom form, wrapped by `wrap` as well.
 */
export function keepPromisifyCustom(
  target: object,
  name: string,
  wrap: (original: AnyFunction) => AnyFunction,
): void {
  const installed = (target as Record<string, unknown>)[name];
  if (typeof installed !== 'function') return;
  const custom = (unwrapped(installed) as unknown as Record<symbol, unknown>)[promisify.custom];
  if (typeof custom !== 'function' || Object.hasOwn(installed, promisify.custom)) return;
  Object.defineProperty(installed, promisify.custom, {
    value: wrap(custom as AnyFunction),
    configurable: true,
    enumerable: false,
    writable: false,
  });
}
