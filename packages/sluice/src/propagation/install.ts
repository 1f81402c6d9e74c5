/**
 * Puts the propagation runtime where rewritten code finds it:
 * globalThis[Symbol.for(RUNTIME_SYMBOL_KEY)], non-enumerable (it must not show up in
 * Object.keys(globalThis) or a for-in over it), configurable so that uninstall can remove it.
 * Installing again replaces the runtime only if it was created for another engine.
 */
import type { TaintEngine } from '../taint/types.js';
import { type PropagationRuntime, RUNTIME_SYMBOL_KEY } from './contract.js';
import { createPropagationRuntime, type RuntimeOptions } from './runtime.js';

const KEY = Symbol.for(RUNTIME_SYMBOL_KEY);
const owners = new WeakMap<PropagationRuntime, TaintEngine>();

export function installedRuntime(): PropagationRuntime | undefined {
  return (globalThis as Record<symbol, PropagationRuntime | undefined>)[KEY];
}

export function installPropagationRuntime(engine: TaintEngine, options?: RuntimeOptions): PropagationRuntime {
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
  return runtime;
}

/** Removes the runtime. Modules rewritten meanwhile keep the reference they already read. */
export function uninstallPropagationRuntime(): void {
  delete (globalThis as Record<symbol, unknown>)[KEY];
}
