/**
 * express: res.sendFile and res.download take a file path (res.sendFile resolves it against
 * `root` and hands it to `send`, where its taint is not followed, so the call itself is the
 * sink). express 4 and 5 share lib/response.js.
 */
import { channel } from '../channels.js';
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
