/**
 * Code compiled from strings: node:vm (Script, runInContext, runInNewContext, runInThisContext,
 * compileFunction) and the global Function constructor. Direct eval cannot be wrapped (a
 * wrapper would turn it into an indirect eval); the rewriter reports it through the
 * propagation runtime's onEval instead.
 */
import { syncBuiltinESMExports } from 'node:module';
import vm from 'node:vm';
import { channel } from '../channels.js';
import type { Instrumentation } from './instrumentation.js';
import { Shim } from './shim.js';
import { publishingCall } from './sink-call.js';

export const SUPPORTED = { module: 'node:vm, Function', versions: '>=20' } as const;

export class VmInstrumentation implements Instrumentation {
  readonly name = 'vm';
  readonly #shim = new Shim('vm');
  readonly #compile = channel('sluice:code.compile');

  constructor(private readonly guard: (error: unknown) => void) {}

  enable(): void {
    for (const api of ['Script', 'runInContext', 'runInNewContext', 'runInThisContext', 'compileFunction']) {
      this.#shim.wrap(
        vm,
        api,
        publishingCall(this.#compile, this.guard, (args) => ({ api: `vm.${api}`, code: args[0] })),
      );
    }
    // Function(p1, ..., body): parameters and body are all compiled.
    this.#shim.wrap(
      globalThis,
      'Function',
      publishingCall(this.#compile, this.guard, (args) => ({ api: 'Function', code: args })),
    );
    // `fn.constructor === Function` must stay true for every function.
    const wrapped = globalThis.Function;
    const proto = Object.getPrototypeOf(wrapped) as { constructor: unknown };
    const descriptor = Object.getOwnPropertyDescriptor(proto, 'constructor');
    if (descriptor && descriptor.value !== wrapped) {
      Object.defineProperty(proto, 'constructor', { ...descriptor, value: wrapped });
      this.#restoreConstructor = () => {
        if (proto.constructor === wrapped) Object.defineProperty(proto, 'constructor', descriptor);
      };
    }
    syncBuiltinESMExports();
  }

  #restoreConstructor: (() => void) | undefined;

  disable(): void {
    this.#restoreConstructor?.();
    this.#restoreConstructor = undefined;
    this.#shim.restore();
    syncBuiltinESMExports();
  }
}
