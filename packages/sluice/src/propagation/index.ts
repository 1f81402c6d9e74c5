/**
 * What the agent installs at start-up: the runtime that rewritten code calls (on a global
 * symbol) and the hooks that propagate through built-ins that are not rewritten. One handle
 * undoes both.
 */
import type { TaintEngine } from '../taint/types.js';
import type { PropagationRuntime } from './contract.js';
import { installPropagationHooks } from './hooks/index.js';
import { installedRuntime, publishRuntime, unpublishRuntime } from './install.js';
import type { RuntimeOptions } from './runtime.js';

export { type PropagationRuntime, RUNTIME_SYMBOL_KEY } from './contract.js';
export { installPropagationHooks, type PropagationHooks } from './hooks/index.js';
export { ENGINE_SYMBOL_KEY, installedRuntime, publishRuntime, unpublishRuntime } from './install.js';
export { locateRanges, propagateByLocating } from './locate.js';
export { createPropagationRuntime, type RuntimeOptions } from './runtime.js';
export { createTainter, type Tainter } from './tainter.js';

export interface PropagationOptions extends RuntimeOptions {
  /** Install the hook-based propagation too (default true). */
  readonly hooks?: boolean;
  /** Called when installing one module's hooks failed (the others are installed). */
  readonly onError?: (error: unknown) => void;
}

export interface PropagationHandle {
  readonly runtime: PropagationRuntime;
  /** Removes the runtime and the hooks. Idempotent. */
  uninstall(): void;
}

export function installPropagationRuntime(
  engine: TaintEngine,
  options: PropagationOptions = {},
): PropagationHandle {
  const runtime = publishRuntime(engine, options);
  const hooks = options.hooks === false ? undefined : installPropagationHooks(engine, options.onError);
  let installed = true;
  return {
    runtime,
    uninstall() {
      if (!installed) return;
      installed = false;
      hooks?.uninstall();
      if (installedRuntime() === runtime) unpublishRuntime();
    },
  };
}

/** Removes the published runtime (and engine), whoever installed it. */
export function uninstallPropagationRuntime(): void {
  unpublishRuntime();
}
