/**
 * Puts the propagation runtime where rewritten code finds it (and its engine where the public
 * API finds it):
 * globalThis[Symbol.for(RUNTIME_SYMBOL_KEY)], non-enumerable (it must not show up in
 * Object.keys(globalThis) or a for-in over it), configurable so that uninstall can remove it.
 * Installing again replaces the runtime only if it was created for another engine.
 */
import type { TaintEngine } from '../taint/types.js';
import { type PropagationRuntime, RUNTIME_SYMBOL_KEY } from './contract.js';
import { createPropagationRuntime, type RuntimeOptions } from './runtime.js';

const KEY = Symbol.for(RUNTIME_SYMBOL_KEY);

/**
 * Global symbol under which the running agent's engine is published for the public API
 * (src/api.ts). A global rather than module state so that every copy of the package loaded in
 * the process (CommonJS and ES module instances, a nested node_modules copy) finds it.
 */
export const ENGINE_SYMBOL_KEY = 'sluice.engine';
const ENGINE_KEY = Symbol.for(ENGINE_SYMBOL_KEY);
const owners = new WeakMap<PropagationRuntime, TaintEngine>();

export function installedRuntime(): PropagationRuntime | undefined {
  return (globalThis as Record<symbol, PropagationRuntime | undefined>)[KEY];
}

export function publishRuntime(engine: TaintEngine, options?: RuntimeOptions): PropagationRuntime {
  const current = installedRuntime();
  if (current !== undefined && owners.get(current) === engine) return current;
  const runtime = createPropagationRuntime(engine, options);
  owners.set(runtime, engine);
  Object.defineProperty(globalThis, KEY, {
    value: runtime,
    enumerable: false,
    configurable: true,
    writable: false,
  });
  Object.defineProperty(globalThis, ENGINE_KEY, {
    value: engine,
    enumerable: false,
    configurable: true,
    writable: false,
  });
  return runtime;
}

/** Removes the runtime. Modules rewritten meanwhile keep the reference they already read. */
export function unpublishRuntime(): void {
  delete (globalThis as Record<symbol, unknown>)[KEY];
  delete (globalThis as Record<symbol, unknown>)[ENGINE_KEY];
}
