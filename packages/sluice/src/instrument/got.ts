/**
 * got: its request reaches http.request only after an await, where the application's call is
 * no longer on the stack. got's promise API calls Request#flush synchronously from the
 * application's `got(url)`, so the outgoing URL is published there; the later http.request
 * of the same URL is the same finding (the analyzer reports a URL once per request).
 * got is an ES module only: a load hook (got-loader.ts) hands its Request class over.
 * The stream API (got.stream) flushes later and is reported through http.request without
 * the application's line.
 */
import Module from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { channel } from '../channels.js';
import { markingLoaderThread } from '../loader-thread.js';
import { GOT_PATCH_KEY } from './got-loader.js';
import type { Instrumentation } from './instrumentation.js';
import { satisfies } from './require-hook.js';
import { Shim } from './shim.js';
import { publishingCall } from './sink-call.js';

export const SUPPORTED = { module: 'got', versions: '>=12.0.0 <15' } as const;

/** module.register cannot be undone: the load hook is registered once per process. */
const REGISTERED = Symbol.for('sluice.got.loaderRegistered');

type Hooks = { load: typeof import('./got-loader.js').syncLoad };
type ModuleRegistration = {
  registerHooks?: (hooks: Hooks) => unknown;
  register?: (specifier: string) => void;
};

function registerLoadHook(): void {
  const g = globalThis as { [REGISTERED]?: boolean };
  if (g[REGISTERED]) return;
  const mod = Module as unknown as ModuleRegistration;
  if (typeof mod.registerHooks === 'function') {
    const { syncLoad } = require('./got-loader.js') as typeof import('./got-loader.js');
    mod.registerHooks({ load: syncLoad });
  } else if (typeof mod.register === 'function') {
    const register = mod.register;
    const loader = pathToFileURL(path.join(__dirname, 'got-loader.js')).href;
    markingLoaderThread(() => register(loader));
  } else return;
  g[REGISTERED] = true;
}

/** got's version, from the package.json above its request module; undefined for another package. */
function versionOf(moduleUrl: string): string | undefined {
  const file = fileURLToPath(moduleUrl);
  const root = file.slice(0, file.lastIndexOf(`${path.sep}dist${path.sep}`));
  try {
    const manifest = require(path.join(root, 'package.json')) as { name?: string; version?: string };
    return manifest.name === 'got' ? manifest.version : undefined;
  } catch {
    return undefined;
  }
}

export class GotInstrumentation implements Instrumentation {
  readonly name = 'got';
  readonly #shim = new Shim('got');
  readonly #request = channel('sluice:http.client.request');
  readonly #classes = new Set<{ prototype: object }>();
  #enabled = false;

  constructor(private readonly guard: (error: unknown) => void) {}

  #patch(requestClass: { prototype: object }): void {
    this.#shim.wrap(
      requestClass.prototype,
      'flush',
      publishingCall(this.#request, this.guard, (_args, self) => {
        const options = (self as { options?: { url?: unknown } } | undefined)?.options;
        return { api: 'got', url: options?.url, options: undefined };
      }),
    );
  }

  enable(): void {
    if (this.#enabled) return;
    this.#enabled = true;
    (globalThis as Record<symbol, unknown>)[Symbol.for(GOT_PATCH_KEY)] = (cls: unknown, url: unknown) => {
      try {
        if (typeof cls !== 'function' || typeof url !== 'string') return;
        const version = versionOf(url);
        if (version === undefined || !satisfies(version, SUPPORTED.versions)) return;
        const requestClass = cls as unknown as { prototype: object };
        this.#classes.add(requestClass);
        if (this.#enabled) this.#patch(requestClass);
      } catch (error) {
        this.guard(error);
      }
    };
    // Copies loaded while disabled are wrapped again.
    for (const cls of this.#classes) this.#patch(cls);
    registerLoadHook();
  }

  disable(): void {
    this.#enabled = false;
    this.#shim.restore();
  }
}
