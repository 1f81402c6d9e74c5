// The statement every rewritten module starts with. Kept apart from the rewriter so that the
// hooks can recognise already-rewritten code without loading the parser.
import { RUNTIME_LOCAL, RUNTIME_SYMBOL_KEY } from '../propagation/contract.js';

export const RUNTIME_BINDING = `const ${RUNTIME_LOCAL} = globalThis[Symbol.for(${JSON.stringify(RUNTIME_SYMBOL_KEY)})];`;
