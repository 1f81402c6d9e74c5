/** node:crypto: publishes the algorithm of every hash, HMAC, cipher and decipher created. */
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { channel } from '../channels.js';
import type { Instrumentation } from './instrumentation.js';
import { Shim } from './shim.js';

export const SUPPORTED = { module: 'node:crypto', versions: '>=20' } as const;

/**
 * Above 0 while a library that hashes for something other than security runs
 * (hashing-libraries.ts): hashes created meanwhile are not published.
 */
export const nonSecurityHashing = { depth: 0 };

export class CryptoInstrumentation implements Instrumentation {
  readonly name = 'crypto';
  readonly #shim = new Shim('crypto');
  readonly #hash = channel('sluice:crypto.hash');
  readonly #cipher = channel('sluice:crypto.cipher');

  constructor(private readonly guard: (error: unknown) => void) {}

  enable(): void {
    for (const api of ['createHash', 'createHmac', 'hash'] as const) {
      this.#shim.wrap(crypto, api, (original) => {
        const self = this;
        const hook = function (this: unknown, ...args: unknown[]) {
          if (self.#hash.hasSubscribers && typeof args[0] === 'string' && nonSecurityHashing.depth === 0) {
            try {
              self.#hash.publish({ algorithm: args[0], api, hook });
            } catch (error) {
              self.guard(error);
            }
          }
          return Reflect.apply(original, this, args);
        };
        return hook;
      });
    }
    for (const api of ['createCipheriv', 'createDecipheriv'] as const) {
      this.#shim.wrap(crypto, api, (original) => {
        const self = this;
        const hook = function (this: unknown, ...args: unknown[]) {
          if (self.#cipher.hasSubscribers && typeof args[0] === 'string') {
            try {
              self.#cipher.publish({ algorithm: args[0], api, hook });
            } catch (error) {
              self.guard(error);
            }
          }
          return Reflect.apply(original, this, args);
        };
        return hook;
      });
    }
    // ES modules read builtins' named exports from a snapshot; refresh it.
    syncBuiltinESMExports();
  }

  disable(): void {
    this.#shim.restore();
    syncBuiltinESMExports();
  }
}
