/** Math.random: publishes each call (the analyzer decides whether application code made it). */
import { channel } from '../channels.js';
import type { Instrumentation } from './instrumentation.js';
import { Shim } from './shim.js';

export const SUPPORTED = { module: 'Math.random', versions: '*' } as const;

export class MathRandomInstrumentation implements Instrumentation {
  readonly name = 'math-random';
  readonly #shim = new Shim('math');
  readonly #random = channel('sluice:math.random');

  constructor(private readonly guard: (error: unknown) => void) {}

  enable(): void {
    this.#shim.wrap(Math, 'random', (original) => {
      const self = this;
      const random = function random(this: unknown) {
        if (self.#random.hasSubscribers) {
          try {
            self.#random.publish(message);
          } catch (error) {
            self.guard(error);
          }
        }
        return Reflect.apply(original, this, []);
      };
      const message = Object.freeze({ hook: random });
      return random;
    });
  }

  disable(): void {
    this.#shim.restore();
  }
}
