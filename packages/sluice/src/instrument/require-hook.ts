/**
 * Patches third-party modules as they load. Files inside a package are matched by their
 * resolved path (`node_modules/pg/lib/client.js`), so the hook works whoever loads the package:
 * a CommonJS `require('pg')`, or an ES module `import pg from 'pg'` (the ES loader evaluates
 * the package's entry itself, but the entry's own `require('./client')` goes through
 * `Module._load`). Only modules whose request or parent names a registered package are
 * resolved, so an unrelated `require` costs a few string comparisons.
 */
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import type { Instrumentation } from './instrumentation.js';
import { Shim } from './shim.js';

export interface ModulePatch {
  /** npm package name. */
  readonly package: string;
  /** File inside the package, `/`-separated (`lib/client.js`). */
  readonly file: string;
  /** Supported versions, e.g. `>=8.0.0 <9`. Other versions are left alone. */
  readonly versions: string;
  /** Wraps what the file exports; called once per loaded copy. */
  patch(exports: unknown, version: string): void;
  /**
   * For a module whose exports are the function itself (pg-format), which cannot be wrapped
   * in place: returns its replacement (called after patch), which the CommonJS loader and
   * every later require get.
   */
  replace?(exports: unknown, version: string): unknown;
}

// Captured before the fs instrumentation wraps it: reading a package.json is not a sink.
const readFileSync = fs.readFileSync;

type Load = (request: string, parent: { filename?: string | null } | undefined, isMain: boolean) => unknown;
interface ModuleInternals {
  _load: Load;
  _resolveFilename(request: string, parent: unknown, isMain: boolean): string;
  _cache: Record<string, { exports: unknown } | undefined>;
}

function parse(version: string): number[] {
  return version
    .replace(/^[^\d]*/, '')
    .split(/[.-]/)
    .slice(0, 3)
    .map((n) => Number.parseInt(n, 10) || 0);
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** `version` satisfies every space-separated comparator of `range` (`>=`, `>`, `<=`, `<`, `=`). */
export function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  for (const comparator of range.trim().split(/\s+/)) {
    const m = /^(>=|<=|>|<|=)?(.+)$/.exec(comparator);
    if (!m) return false;
    const c = compare(v, parse(m[2] as string));
    const ok =
      m[1] === '>=' ? c >= 0 : m[1] === '>' ? c > 0 : m[1] === '<=' ? c <= 0 : m[1] === '<' ? c < 0 : c === 0;
    if (!ok) return false;
  }
  return true;
}

export class ModuleHooks implements Instrumentation {
  readonly name = 'require-hook';
  readonly #shim = new Shim('require-hook');
  readonly #patches = new Set<ModulePatch>();
  readonly #applied = new WeakMap<object, Set<ModulePatch>>();
  readonly #packages = new Map<string, { name?: string; version?: string } | undefined>();

  constructor(private readonly guard: (error: unknown) => void) {}

  /** Registers `patch`; a matching module already loaded is patched at once. */
  add(patch: ModulePatch): void {
    this.#patches.add(patch);
    const cache = (Module as unknown as ModuleInternals)._cache;
    for (const filename of Object.keys(cache)) {
      const mod = cache[filename];
      if (mod) this.#apply(filename, mod.exports, [patch]);
    }
  }

  remove(patch: ModulePatch): void {
    this.#patches.delete(patch);
  }

  enable(): void {
    const internals = Module as unknown as ModuleInternals;
    const self = this;
    this.#shim.wrap(Module, '_load', (original) => {
      return function (this: unknown, ...args: unknown[]) {
        let exports = Reflect.apply(original, this, args);
        if (self.#patches.size > 0) {
          try {
            const [request, parent, isMain] = args as Parameters<Load>;
            if (typeof request === 'string' && self.#concerns(request, parent?.filename)) {
              const filename = internals._resolveFilename(request, parent, isMain);
              exports = self.#apply(filename, exports, self.#patches);
            }
          } catch (error) {
            self.guard(error);
          }
        }
        return exports;
      };
    });
  }

  disable(): void {
    this.#shim.restore();
  }

  #concerns(request: string, parentFile: string | null | undefined): boolean {
    for (const patch of this.#patches) {
      if (request.includes(patch.package)) return true;
      if (parentFile?.includes(patch.package)) return true;
    }
    return false;
  }

  /** Applies the matching patches; returns the exports, or the replacement a patch made. */
  #apply(filename: string, loaded: unknown, patches: Iterable<ModulePatch>): unknown {
    if ((typeof loaded !== 'object' && typeof loaded !== 'function') || loaded === null) return loaded;
    let exports: object = loaded;
    const file = filename.split(path.sep).join('/');
    for (const patch of patches) {
      if (!file.endsWith(`/${patch.file}`)) continue;
      const root = file.slice(0, file.length - patch.file.length - 1);
      // The directory carries the package's name, or an alias (`npm i express4@npm:express@4`).
      const info = this.#package(root);
      if (
        info === undefined ||
        (info.name !== patch.package && !root.endsWith(`/node_modules/${patch.package}`))
      )
        continue;
      const version = info.version;
      let applied = this.#applied.get(exports);
      if (applied?.has(patch)) continue;
      if (version === undefined || !satisfies(version, patch.versions)) continue;
      if (!applied) {
        applied = new Set();
        this.#applied.set(exports, applied);
      }
      applied.add(patch);
      try {
        patch.patch(exports, version);
        const replacement = patch.replace?.(exports, version);
        if (typeof replacement === 'function' && replacement !== exports) {
          const cached = (Module as unknown as ModuleInternals)._cache[filename];
          if (cached !== undefined && cached.exports === exports) cached.exports = replacement;
          // Loading the file again yields the replacement: already patched.
          this.#applied.set(replacement, applied);
          exports = replacement;
        }
      } catch (error) {
        this.guard(error);
      }
    }
    return exports;
  }

  #package(root: string): { name?: string; version?: string } | undefined {
    if (this.#packages.has(root)) return this.#packages.get(root);
    let info: { name?: string; version?: string } | undefined;
    try {
      info = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { name?: string; version?: string };
      info = { name: info.name, version: info.version } as { name?: string; version?: string };
    } catch {
      info = undefined;
    }
    this.#packages.set(root, info);
    return info;
  }
}
