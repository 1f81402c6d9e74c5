// CommonJS: every module's source passes through Module.prototype._compile, which we wrap.
// The wrapper is marked so that installing twice never stacks two rewriters, and removing it
// never unhooks whoever wrapped _compile after us (then the wrapper only stops rewriting).
import Module from 'node:module';

type Compile = (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown;
type Transform = (content: string, filename: string, isModule: boolean) => string;

const MARK = Symbol.for('sluice.rewriter.compile');

interface Marked {
  [MARK]?: { disable(): void };
}

export interface CompileHook {
  remove(): void;
}

export function hookCompile(transform: Transform): CompileHook {
  const proto = (Module as unknown as { prototype: { _compile: Compile & Marked } }).prototype;
  // A previous rewriter still installed is replaced: the latest options win.
  proto._compile[MARK]?.disable();
  const original = proto._compile;
  let active = true;
  const wrapper: Compile & Marked = function sluiceCompile(this: unknown, content, filename, ...rest) {
    let code = content;
    // The third argument says how to compile: Node 20 passes `loadAsESM` (require of an ES
    // module), Node 22+ a format ('commonjs', 'module', '...-typescript').
    const format = rest[0];
    const isModule = format === true || format === 'module' || filename.endsWith('.mjs');
    // A TypeScript format (Node's type stripping) is compiled inside _compile: not JavaScript yet.
    const typescript = typeof format === 'string' && format.includes('typescript');
    if (active && typeof content === 'string' && !typescript) {
      try {
        code = transform(content, filename, isModule);
      } catch {
        code = content;
      }
    }
    return original.call(this, code, filename, ...rest);
  };
  const disable = (): void => {
    active = false;
    if (proto._compile === wrapper) proto._compile = original;
  };
  wrapper[MARK] = { disable };
  proto._compile = wrapper;
  return { remove: disable };
}
