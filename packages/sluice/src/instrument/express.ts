/**
 * express: res.sendFile and res.download take a file path (res.sendFile resolves it against
 * `root` and hands it to `send`, where its taint is not followed, so the call itself is the
 * sink). res.render takes a view name that express resolves against the views directory and
 * reads; the name is reported at the call, and express gets it marked safe for paths so that
 * the lookup's own fs calls (the same flow) are not reported again. express 4 and 5 share
 * lib/response.js.
 */
import { channel } from '../channels.js';
import { createTainter } from '../propagation/tainter.js';
import { addMarks } from '../taint/ranges.js';
import type { TaintEngine } from '../taint/types.js';
import { markBit } from '../vulnerability-types.js';
import type { Instrumentation } from './instrumentation.js';
import type { ModuleHooks, ModulePatch } from './require-hook.js';
import { Shim } from './shim.js';
import { publishingCall } from './sink-call.js';

export const SUPPORTED = { module: 'express', versions: '>=4.0.0 <6' } as const;

export class ExpressFileInstrumentation implements Instrumentation {
  readonly name = 'express-files';
  readonly #shim = new Shim('express-files');
  readonly #path = channel('sluice:fs.path');
  #patch: ModulePatch | undefined;

  constructor(
    private readonly engine: () => TaintEngine | undefined,
    private readonly hooks: ModuleHooks,
    private readonly guard: (error: unknown) => void,
  ) {}

  enable(): void {
    if (this.#patch) return;
    this.#patch = {
      package: 'express',
      file: 'lib/response.js',
      versions: SUPPORTED.versions,
      patch: (exports) => {
        for (const api of ['sendFile', 'download'])
          this.#shim.wrap(
            exports as object,
            api,
            publishingCall(this.#path, this.guard, (args) => ({ api: `express.${api}`, path: args[0] })),
          );
        const publish = publishingCall(this.#path, this.guard, (args) => ({
          api: 'express.render',
          path: args[0],
        }));
        this.#shim.wrap(exports as object, 'render', (original) => {
          const self = this;
          // Published with the name as given; express is called with the marked copy.
          const marking = function (this: unknown, ...args: unknown[]): unknown {
            if (self.#path.hasSubscribers) args[0] = self.#reported(args[0]);
            return Reflect.apply(original, this, args);
          };
          return publish(marking);
        });
      },
    };
    this.hooks.add(this.#patch);
  }

  /** `view` with its taint marked safe for paths, once it has been published (same text). */
  #reported(view: unknown): unknown {
    const engine = this.engine();
    if (engine === undefined || typeof view !== 'string') return view;
    try {
      const t = createTainter(engine);
      const ranges = t.ranges(view);
      return ranges === undefined ? view : t.make(view, addMarks(ranges, markBit('PATH_TRAVERSAL')));
    } catch (error) {
      this.guard(error);
      return view;
    }
  }

  disable(): void {
    if (this.#patch) this.hooks.remove(this.#patch);
    this.#patch = undefined;
    this.#shim.restore();
  }
}
