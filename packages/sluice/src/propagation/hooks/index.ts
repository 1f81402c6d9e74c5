/**
 * Hook-based propagation: built-ins that rewritten code calls but that are not rewritten
 * themselves (see DESIGN.md, "Propagation"). Installing patches the modules' export objects
 * in place (so `require('path').join` and, after syncBuiltinESMExports, `import { join }`
 * both see the wrapper) and the globals; uninstall restores every property that still holds
 * our wrapper. Installing again replaces the wrappers rather than nesting them.
 */
import { syncBuiltinESMExports } from 'node:module';
import type { Range, TaintEngine } from '../../taint/types.js';
import { createTainter } from '../tainter.js';
import { hookBuffer } from './buffer.js';
import { hookPath } from './path.js';
import { hookQuerystring } from './querystring.js';
import { hookUriFunctions } from './uri.js';
import { hookUrl } from './url.js';
import { hookUtilFormat } from './util-format.js';
import { Patcher } from './wrap.js';

export interface PropagationHooks {
  /** Restores the original functions (those not re-wrapped by someone else since). */
  uninstall(): void;
}

export function installPropagationHooks(
  engine: TaintEngine,
  onError: (error: unknown) => void = () => {},
): PropagationHooks {
  const t = createTainter(engine);
  const patcher = new Patcher();
  const steps = [
    () => hookPath(t, patcher),
    () => hookUriFunctions(t, patcher),
    () => hookQuerystring(t, patcher),
    () => hookUtilFormat(t, patcher),
    () => hookBuffer(t, patcher, new WeakMap<object, readonly Range[]>()),
    () => hookUrl(t, patcher, new WeakMap<object, readonly unknown[]>()),
  ];
  for (const step of steps) {
    try {
      step();
    } catch (error) {
      // One module's hooks failing must not cost the others (nor the application).
      onError(error);
    }
  }
  syncBuiltinESMExports();
  let installed = true;
  return {
    uninstall() {
      if (!installed) return;
      installed = false;
      patcher.undo();
      syncBuiltinESMExports();
    },
  };
}

export { propagateByLocating } from '../locate.js';
