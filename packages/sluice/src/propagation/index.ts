export { type PropagationRuntime, RUNTIME_SYMBOL_KEY } from './contract.js';
export { installedRuntime, installPropagationRuntime, uninstallPropagationRuntime } from './install.js';
export { locateRanges, propagateByLocating } from './locate.js';
export { createPropagationRuntime, type RuntimeOptions } from './runtime.js';
export { createTainter, type Tainter } from './tainter.js';
