/**
 * fetch: Node's global fetch (its own bundled undici, which never goes through node:http),
 * and the `undici` package: request, stream, pipeline, connect, upgrade (also the methods of
 * Client, Pool and Agent, which undici copies from the same module) and fetch. The package
 * is patched in the modules its entry requires, so that ES module imports of undici, whose
 * entry Node evaluates without Module._load, see the wrapped functions too.
 */
import { channel } from '../channels.js';
import type { Instrumentation } from './instrumentation.js';
import type { ModuleHooks, ModulePatch } from './require-hook.js';
import { Shim } from './shim.js';
import { publishingCall } from './sink-call.js';

export const SUPPORTED = [
  { module: 'fetch (global)', versions: '>=20' },
  { module: 'undici', versions: '>=5.0.0 <8' },
] as const;

/** undici's dispatching API: (options with origin and path, handler?). */
const DISPATCHING = ['request', 'stream', 'pipeline', 'connect', 'upgrade'] as const;

export class FetchInstrumentation implements Instrumentation {
  readonly name = 'fetch';
  readonly #shim = new Shim('fetch');
  readonly #request = channel('sluice:http.client.request');
  #patches: ModulePatch[] = [];

  constructor(
    private readonly hooks: ModuleHooks,
    private readonly guard: (error: unknown) => void,
  ) {}

  #fetch(api: string) {
    return publishingCall(this.#request, this.guard, (args) => ({ api, url: args[0], options: undefined }));
  }

  enable(): void {
    if (this.#patches.length > 0) return;
    this.#shim.wrap(globalThis, 'fetch', this.#fetch('fetch'));
    this.#patches = [
      {
        package: 'undici',
        file: 'lib/api/index.js',
        versions: SUPPORTED[1].versions,
        patch: (exports) => {
          for (const api of DISPATCHING)
            this.#shim.wrap(
              exports as object,
              api,
              publishingCall(this.#request, this.guard, (args) => ({
                api: `undici.${api}`,
                url: undefined,
                options: args[0],
              })),
            );
        },
      },
      // undici 5 keeps fetch in lib/fetch/ (6 moved it to lib/web/fetch/).
      ...['lib/web/fetch/index.js', 'lib/fetch/index.js'].map((file) => ({
        package: 'undici',
        file,
        versions: SUPPORTED[1].versions,
        patch: (exports: unknown) => this.#shim.wrap(exports as object, 'fetch', this.#fetch('undici.fetch')),
      })),
    ];
    for (const patch of this.#patches) this.hooks.add(patch);
  }

  disable(): void {
    for (const patch of this.#patches) this.hooks.remove(patch);
    this.#patches = [];
    this.#shim.restore();
  }
}
