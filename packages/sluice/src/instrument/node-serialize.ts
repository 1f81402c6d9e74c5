/**
 * node-serialize: unserialize evaluates every string value that starts with
 * `_$$ND_FUNC$$_` as code, so whatever it is given is published on `sluice:deserialize`.
 * Its own recursive calls (which pass the root object as a second argument) are not.
 */
import { channel } from '../channels.js';
import type { Instrumentation } from './instrumentation.js';
import type { ModuleHooks, ModulePatch } from './require-hook.js';
import { Shim } from './shim.js';
import { publishingCall } from './sink-call.js';

export const SUPPORTED = { module: 'node-serialize', versions: '>=0.0.1 <0.1' } as const;

export class NodeSerializeInstrumentation implements Instrumentation {
  readonly name = 'node-serialize';
  readonly #shim = new Shim('node-serialize');
  readonly #deserialize = channel('sluice:deserialize');
  #patch: ModulePatch | undefined;

  constructor(
    private readonly hooks: ModuleHooks,
    private readonly guard: (error: unknown) => void,
  ) {}

  enable(): void {
    if (this.#patch) return;
    this.#patch = {
      package: 'node-serialize',
      file: 'lib/serialize.js',
      versions: SUPPORTED.versions,
      patch: (exports) => {
        if (exports === null || typeof exports !== 'object') return;
        this.#shim.wrap(
          exports,
          'unserialize',
          publishingCall(this.#deserialize, this.guard, (args) =>
            args[1] === undefined
              ? { library: 'node-serialize', api: 'unserialize', data: args[0] }
              : undefined,
          ),
        );
      },
    };
    this.hooks.add(this.#patch);
  }

  disable(): void {
    if (this.#patch) this.hooks.remove(this.#patch);
    this.#patch = undefined;
    this.#shim.restore();
  }
}
