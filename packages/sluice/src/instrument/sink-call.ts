/**
 * The wrapper every sink instrumentation puts around a hooked function: publish what the call
 * is about to do (only when someone listens), then call the original untouched. A failure
 * while building or publishing the message is the guard's, never the application's.
 */
import type { TypedChannel } from '../channels.js';

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
