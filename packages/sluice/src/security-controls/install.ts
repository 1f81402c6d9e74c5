/**
 * Applies user-declared security controls (see parse.ts) to the modules they name, as those
 * modules load:
 * - CommonJS (and CommonJS imported from an ES module, which Node loads through the same
 *   `Module._load`): the function at the control's export path is wrapped in place; a module
 *   whose export is the function itself has its cached exports replaced by the wrapper.
 * - ES modules: exports are read-only bindings, so a load hook (esm-loader.ts) serves the named
 *   module as a small facade that re-exports the original with the controlled exports wrapped
 *   through the runtime published here on `globalThis[Symbol.for('sluice.securityControls')]`.
 *   Functions on exported objects (`utils.escape`) are wrapped in place on the object.
 * A control whose function is missing or not a function is reported once and skipped.
 */
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import type { Logger } from '../errors.js';
import { Shim } from '../instrument/shim.js';
import { markingLoaderThread } from '../loader-thread.js';
import type { TaintEngine } from '../taint/types.js';
import type { ControlTarget, FacadeData } from './esm-loader.js';
import { parseSecurityControls, type SecurityControl } from './parse.js';
import { controlWrapper } from './wrap.js';

export const RUNTIME_KEY = Symbol.for('sluice.securityControls');

/** What the ES module facades call (main thread). */
export interface ControlsRuntime {
  /** `value` wrapped by control `id` (itself when it is not a function). */
  wrap(id: number, value: unknown): unknown;
  /** Wraps, in place, the function at control `id`'s dotted path inside `namespace`. */
  wrapPath(id: number, namespace: object): void;
}

export interface SecurityControlsOptions {
  readonly cwd: string;
  readonly engine: () => TaintEngine | undefined;
  readonly log: Pick<Logger, 'warn' | 'debug'>;
  readonly guard: (error: unknown) => void;
  /** Hook ES module loading too (default true). */
  readonly esm?: boolean;
}

interface Resolved {
  readonly control: SecurityControl;
  /** Absolute file the module names, when it could be resolved. */
  readonly file: string | undefined;
  /** Datadog's match for files inside packages: the path ends with `/<module>`. */
  readonly suffix: string;
}

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
interface ModuleInternals {
  _load: Load;
  _resolveFilename(request: string, parent: unknown, isMain: boolean): string;
  _cache: Record<string, { exports: unknown } | undefined>;
}

const EXTENSIONS = ['', '.js', '.cjs', '.mjs'];

/** Installs the controls in `raw`; returns the uninstaller (a no-op when there are none). */
export function installSecurityControls(raw: string, options: SecurityControlsOptions): () => void {
  const controls = parseSecurityControls(raw, (m) => options.log.warn(m));
  if (controls.length === 0) return () => {};
  const resolved = controls.map((control) => resolveModule(control, options.cwd));
  const shims = controls.map((_, i) => new Shim(`security-control:${i}`));
  const warned = new Set<number>();
  const missing = (id: number, what: string) => {
    if (warned.has(id)) return;
    warned.add(id);
    options.log.warn(
      `SLUICE_ERR_CONFIG_VALUE: DD_IAST_SECURITY_CONTROLS_CONFIGURATION entry "${controls[id]?.entry}": ${what}; the entry is ignored`,
    );
  };

  /** The wrapper of `fn` for control `id` (held so that restoring makes it a pass-through). */
  const wrapValue = (id: number, fn: unknown): unknown => {
    if (typeof fn !== 'function') {
      missing(id, 'the module exports no such function');
      return fn;
    }
    const holder = { fn };
    (shims[id] as Shim).wrap(
      holder,
      'fn',
      controlWrapper(controls[id] as SecurityControl, options.engine, options.guard),
    );
    return holder.fn;
  };
  const wrapPath = (id: number, root: unknown): void => {
    const names = (controls[id] as SecurityControl).method.split('.');
    const last = names.pop() as string;
    let parent: unknown = root;
    for (const name of names) parent = parent == null ? undefined : (parent as Record<string, unknown>)[name];
    const fn = parent == null ? undefined : (parent as Record<string, unknown>)[last];
    if (typeof fn !== 'function') {
      missing(id, 'the module exports no such function');
      return;
    }
    (shims[id] as Shim).wrap(
      parent as object,
      last,
      controlWrapper(controls[id] as SecurityControl, options.engine, options.guard),
    );
  };

  const undo: Array<() => void> = [];
  const runtime: ControlsRuntime = {
    wrap: (id, value) => {
      try {
        return wrapValue(id, value);
      } catch (error) {
        options.guard(error);
        return value;
      }
    },
    wrapPath: (id, namespace) => {
      try {
        wrapPath(id, namespace);
      } catch (error) {
        options.guard(error);
      }
    },
  };
  const g = globalThis as { [RUNTIME_KEY]?: ControlsRuntime };
  g[RUNTIME_KEY] = runtime;
  undo.push(() => {
    if (g[RUNTIME_KEY] === runtime) delete g[RUNTIME_KEY];
  });

  undo.push(hookCommonJs(resolved, wrapValue, wrapPath, options.guard));
  if (isMainThread && options.esm !== false) {
    try {
      registerEsmFacades(resolved);
    } catch (error) {
      options.log.debug(`security controls: ES modules not hooked (${String(error)})`);
    }
  }
  return () => {
    while (undo.length > 0) undo.pop()?.();
    for (const shim of shims) shim.restore();
  };
}

function resolveModule(control: SecurityControl, cwd: string): Resolved {
  const spec = control.module.replaceAll('\\', '/');
  const suffix = `/${spec.replace(/^\.\//, '')}`;
  const local = path.resolve(cwd, spec);
  for (const ext of EXTENSIONS) {
    const file = local + ext;
    if (isFile(file)) return { control, file, suffix };
  }
  if (!spec.startsWith('.') && !path.isAbsolute(spec)) {
    try {
      return { control, file: require.resolve(spec, { paths: [cwd] }), suffix };
    } catch {
      // An ES-only package, or a path inside a package: matched by its end.
    }
  }
  return { control, file: undefined, suffix };
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The controls that apply to `file`. */
function controlsFor(resolved: readonly Resolved[], file: string): number[] {
  const posix = file.split(path.sep).join('/');
  const ids: number[] = [];
  resolved.forEach((r, id) => {
    if (
      r.file === file ||
      (r.file === undefined && posix.includes('/node_modules/') && posix.endsWith(r.suffix))
    )
      ids.push(id);
  });
  return ids;
}

function hookCommonJs(
  resolved: readonly Resolved[],
  wrapValue: (id: number, fn: unknown) => unknown,
  wrapPath: (id: number, root: unknown) => void,
  guard: (error: unknown) => void,
): () => void {
  const internals = Module as unknown as ModuleInternals;
  // Requests worth resolving: those whose last segment names a controlled file or package.
  const names = new Set<string>();
  for (const r of resolved) {
    for (const p of [r.file, r.control.module]) if (p) names.add(stem(p));
  }
  const replaced: Array<() => void> = [];
  const apply = (filename: string, exports: unknown): unknown => {
    let current = exports;
    for (const id of controlsFor(resolved, filename)) {
      const method = resolved[id]?.control.method ?? '';
      if (method !== '') {
        wrapPath(id, current);
        continue;
      }
      const wrapper = wrapValue(id, current);
      if (wrapper === current) continue;
      const mod = internals._cache[filename];
      if (mod && mod.exports === current) {
        const original = current;
        mod.exports = wrapper;
        replaced.push(() => {
          if (mod.exports === wrapper) mod.exports = original;
        });
      }
      current = wrapper;
    }
    return current;
  };
  // Modules loaded before the agent started.
  for (const filename of Object.keys(internals._cache)) {
    const mod = internals._cache[filename];
    if (mod && controlsFor(resolved, filename).length > 0) {
      try {
        apply(filename, mod.exports);
      } catch (error) {
        guard(error);
      }
    }
  }
  const shim = new Shim('security-controls');
  const done = new WeakSet<object>();
  shim.wrap(Module, '_load', (original) => {
    return function (this: unknown, ...args: unknown[]) {
      const exports = Reflect.apply(original, this, args);
      const [request, parent, isMain] = args as Parameters<Load>;
      if (typeof request !== 'string' || !names.has(stem(request))) return exports;
      if ((typeof exports !== 'object' && typeof exports !== 'function') || exports === null) return exports;
      if (done.has(exports)) return exports;
      try {
        const filename = internals._resolveFilename(request, parent, isMain);
        const result = apply(filename, exports);
        done.add(exports);
        if ((typeof result === 'object' || typeof result === 'function') && result !== null) done.add(result);
        return result;
      } catch (error) {
        guard(error);
        return exports;
      }
    };
  });
  return () => {
    shim.restore();
    for (const undo of replaced.splice(0)) undo();
  };
}

/** `lib/sanitize.js` → `sanitize`; `my-lib` → `my-lib`; `@scope/pkg` → `pkg`. */
function stem(p: string): string {
  const base = p.replaceAll('\\', '/').split('/').pop() ?? p;
  return base.replace(/\.(?:c|m)?js$/, '');
}

const ESM_REGISTERED = Symbol.for('sluice.securityControls.esmRegistered');

/** Registers the facade load hook once per process (module.register cannot be undone). */
function registerEsmFacades(resolved: readonly Resolved[]): void {
  const g = globalThis as { [ESM_REGISTERED]?: boolean };
  if (g[ESM_REGISTERED]) return;
  const targets: ControlTarget[] = resolved.map((r, id) => ({
    id,
    file: r.file,
    suffix: r.suffix,
    method: r.control.method,
  }));
  const data: FacadeData = { targets };
  const loader = path.join(__dirname, 'esm-loader.js');
  const mod = Module as unknown as {
    registerHooks?: (hooks: object) => unknown;
    register?: (specifier: string, options: { data: FacadeData }) => void;
  };
  if (typeof mod.registerHooks === 'function') {
    const { syncHooks } = require('./esm-loader.js') as typeof import('./esm-loader.js');
    mod.registerHooks(syncHooks(data));
  } else if (typeof mod.register === 'function') {
    const register = mod.register;
    markingLoaderThread(() => register(pathToFileURL(loader).href, { data }));
  } else return;
  g[ESM_REGISTERED] = true;
}
