/**
 * node:fs and node:fs/promises: every path argument of the functions that open, read, write,
 * list, stat, link, move or remove files, and of the stream constructors.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { channel } from '../channels.js';
import type { Instrumentation } from './instrumentation.js';
import { Shim } from './shim.js';
import { keepPromisifyCustom } from './sink-call.js';

export const SUPPORTED = { module: 'node:fs, node:fs/promises', versions: '>=20' } as const;

/** Functions whose first argument is a path (callback, Sync and promise forms). */
const ONE_PATH = [
  'access',
  'appendFile',
  'chmod',
  'chown',
  'lchmod',
  'lchown',
  'lutimes',
  'lstat',
  'mkdir',
  'mkdtemp',
  'open',
  'opendir',
  'readdir',
  'readFile',
  'readlink',
  'realpath',
  'rm',
  'rmdir',
  'stat',
  'statfs',
  'truncate',
  'unlink',
  'utimes',
  'writeFile',
  'exists',
] as const;
/** Functions whose first two arguments are paths. */
const TWO_PATHS = ['copyFile', 'cp', 'link', 'rename', 'symlink'] as const;
/** Callback-only functions and stream constructors (no Sync or promise form). */
const CALLBACK_ONLY = ['createReadStream', 'createWriteStream', 'watch', 'watchFile', 'unwatchFile'] as const;

export class FsInstrumentation implements Instrumentation {
  readonly name = 'fs';
  readonly #shim = new Shim('fs');
  readonly #path = channel('sluice:fs.path');

  constructor(private readonly guard: (error: unknown) => void) {}

  #wrap(target: object, name: string, api: string, paths: number): void {
    const self = this;
    const factory = (original: (this: unknown, ...args: unknown[]) => unknown) => {
      return function (this: unknown, ...args: unknown[]): unknown {
        if (self.#path.hasSubscribers) {
          try {
            for (let i = 0; i < paths && i < args.length; i++) {
              const value = args[i];
              if (typeof value === 'string') self.#path.publish({ api, path: value });
            }
          } catch (error) {
            self.guard(error);
          }
        }
        return Reflect.apply(original, this, args);
      };
    };
    this.#shim.wrap(target, name, factory);
    keepPromisifyCustom(target, name, factory);
  }

  enable(): void {
    const all = [
      ...ONE_PATH.map((name) => [name, 1] as const),
      ...TWO_PATHS.map((name) => [name, 2] as const),
    ];
    for (const [name, paths] of all) {
      this.#wrap(fs, name, `fs.${name}`, paths);
      this.#wrap(fs, `${name}Sync`, `fs.${name}Sync`, paths);
      this.#wrap(fs.promises, name, `fs.promises.${name}`, paths);
    }
    for (const name of CALLBACK_ONLY) this.#wrap(fs, name, `fs.${name}`, 1);
    syncBuiltinESMExports();
  }

  disable(): void {
    this.#shim.restore();
    syncBuiltinESMExports();
  }
}
