// The statement every rewritten module starts with. Kept apart from the rewriter so that the
// hooks can recognise already-rewritten code without loading the parser.
import { RUNTIME_LOCAL, RUNTIME_SYMBOL_KEY } from '../propagation/contract.js';

const RUNTIME_EXPRESSION = `globalThis[Symbol.for(${JSON.stringify(RUNTIME_SYMBOL_KEY)})]`;

/** CommonJS: a module's code cannot run before its first line, so a constant is enough. */
export const RUNTIME_BINDING = `const ${RUNTIME_LOCAL} = ${RUNTIME_EXPRESSION};`;

/**
 * ES modules: in an import cycle a module's hoisted functions can be called before its body
 * runs, when a `const` would still be in its temporal dead zone. An import binding is
 * initialised before any module of the cycle runs; the imported module (a data: URL, so it
 * needs no file) only reads the global.
 */
export const RUNTIME_IMPORT = `import ${RUNTIME_LOCAL} from "data:text/javascript,${encodeURIComponent(`export default ${RUNTIME_EXPRESSION}`)}";`;

export function isRewritten(code: string): boolean {
  return code.includes(RUNTIME_BINDING) || code.includes(RUNTIME_IMPORT);
}
