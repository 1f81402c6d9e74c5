/**
 * Libraries that hash with a weak algorithm for something other than security, on a hot path:
 * etag, with which express (and koa through koa-etag) hashes every response body with SHA-1.
 * Their calls are never reported (WEAK_HASH wants an application caller), but learning that
 * takes a stack walk per call, about 5 µs through optimised frames, on every response. While
 * one of them runs, the crypto hooks do not publish (crypto.ts reads `nonSecurityHashing`).
 */
import { nonSecurityHashing } from './crypto.js';
import type { Instrumentation } from './instrumentation.js';
import type { ModuleHooks, ModulePatch } from './require-hook.js';
import { Shim } from './shim.js';

export const SUPPORTED = { module: 'etag', versions: '>=1.0.0 <2' } as const;

export class HashingLibrariesInstrumentation implements Instrumentation {
  readonly name = 'hashing-libraries';
  readonly #shim = new Shim('hashing-libraries');
  #patch: ModulePatch | undefined;

  constructor(private readonly hooks: ModuleHooks) {}

  enable(): void {
    if (this.#patch) return;
    this.#patch = {
      package: SUPPORTED.module,
      file: 'index.js',
      versions: SUPPORTED.versions,
      patch: () => {},
      // The module's exports are etag itself: its wrapper replaces them.
      replace: (exports) => {
        const holder = { etag: exports };
        this.#shim.wrap(holder, 'etag', (original) => {
          return function etag(this: unknown, ...args: unknown[]) {
            nonSecurityHashing.depth++;
            try {
              return Reflect.apply(original, this, args);
            } finally {
              nonSecurityHashing.depth--;
            }
          };
        });
        return holder.etag;
      },
    };
    this.hooks.add(this.#patch);
  }

  disable(): void {
    if (this.#patch) this.hooks.remove(this.#patch);
    this.#patch = undefined;
    // Whoever holds the replacement keeps it; restored, it only forwards.
    this.#shim.restore();
  }
}
