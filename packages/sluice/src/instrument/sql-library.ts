/**
 * What the SQL driver instrumentations share: each wraps query-taking methods of classes that
 * one file of its package exports, and publishes the query text on `sluice:sql.query`.
 */
import { channel } from '../channels.js';
import type { Instrumentation } from './instrumentation.js';
import type { ModuleHooks, ModulePatch } from './require-hook.js';
import { Shim } from './shim.js';
import { publishingCall } from './sink-call.js';

/** Query text of a string, or of an object carrying it under one of `keys` (`{ text }`, `{ sql }`). */
export function queryText(value: unknown, keys: readonly string[]): unknown {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') {
    for (const key of keys) {
      const text = (value as Record<string, unknown>)[key];
      if (typeof text === 'string') return text;
    }
  }
  return undefined;
}

export interface SqlHookSpec {
  /** File inside the package (`lib/client.js`). */
  readonly file: string;
  /** Where the class is in that file's exports: '' for the exports themselves. */
  readonly exportName: string;
  /** Prototype methods whose first argument is the query. */
  readonly methods: readonly string[];
  /** Object keys that carry the query text when an object is passed. */
  readonly keys: readonly string[];
}

export class SqlLibraryInstrumentation implements Instrumentation {
  readonly #shim: Shim;
  readonly #query = channel('sluice:sql.query');
  #patches: ModulePatch[] = [];

  constructor(
    readonly name: string,
    private readonly versions: string,
    private readonly specs: readonly SqlHookSpec[],
    private readonly hooks: ModuleHooks,
    private readonly guard: (error: unknown) => void,
  ) {
    this.#shim = new Shim(`sql:${name}`);
  }

  enable(): void {
    if (this.#patches.length > 0) return;
    this.#patches = this.specs.map((spec) => ({
      package: this.name,
      file: spec.file,
      versions: this.versions,
      patch: (exports: unknown) => this.#patch(exports, spec),
    }));
    for (const patch of this.#patches) this.hooks.add(patch);
  }

  disable(): void {
    for (const patch of this.#patches) this.hooks.remove(patch);
    this.#patches = [];
    this.#shim.restore();
  }

  #patch(exports: unknown, spec: SqlHookSpec): void {
    const target = spec.exportName === '' ? exports : (exports as Record<string, unknown>)[spec.exportName];
    const proto = (target as { prototype?: unknown } | undefined)?.prototype;
    if (typeof target !== 'function' || typeof proto !== 'object' || proto === null) return;
    for (const method of spec.methods) {
      this.#shim.wrap(
        proto,
        method,
        publishingCall(this.#query, this.guard, (args) => ({
          query: queryText(args[0], spec.keys),
          library: this.name,
        })),
      );
    }
  }
}
