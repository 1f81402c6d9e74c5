/**
 * What the template engine instrumentations share: functions of one package file's exports
 * that take template *source* as their first argument, published on
 * `sluice:template.compile`. Functions taking a file name (compileFile, renderFile) are left to
 * the fs sinks, and the data a template is rendered with is never looked at.
 */
import { channel } from '../channels.js';
import type { Instrumentation } from './instrumentation.js';
import type { ModuleHooks, ModulePatch } from './require-hook.js';
import { Shim } from './shim.js';
import { publishingCall } from './sink-call.js';

export interface TemplateHookSpec {
  /** File inside the package (`lib/index.js`). */
  readonly file: string;
  /** Functions of that file's exports whose first argument is template source. */
  readonly functions: readonly string[];
  /** Functions returning a new engine instance whose `functions` are wrapped in turn. */
  readonly factories?: readonly string[];
}

export class TemplateLibraryInstrumentation implements Instrumentation {
  readonly #shim: Shim;
  readonly #compile = channel('sluice:template.compile');
  #patch: ModulePatch | undefined;

  constructor(
    readonly name: string,
    private readonly versions: string,
    private readonly spec: TemplateHookSpec,
    private readonly hooks: ModuleHooks,
    private readonly guard: (error: unknown) => void,
  ) {
    this.#shim = new Shim(`template:${name}`);
  }

  enable(): void {
    if (this.#patch) return;
    this.#patch = {
      package: this.name,
      file: this.spec.file,
      versions: this.versions,
      patch: (exports) => this.#wrapEngine(exports),
    };
    this.hooks.add(this.#patch);
  }

  disable(): void {
    if (this.#patch) this.hooks.remove(this.#patch);
    this.#patch = undefined;
    this.#shim.restore();
  }

  #wrapEngine(engine: unknown): void {
    if ((typeof engine !== 'object' && typeof engine !== 'function') || engine === null) return;
    for (const fn of this.spec.functions) {
      this.#shim.wrap(
        engine,
        fn,
        publishingCall(this.#compile, this.guard, (args) => ({
          library: this.name,
          api: `${this.name}.${fn}`,
          template: args[0],
        })),
      );
    }
    for (const factory of this.spec.factories ?? []) {
      this.#shim.wrap(engine, factory, (original) => {
        const self = this;
        return function (this: unknown, ...args: unknown[]): unknown {
          const created = Reflect.apply(original, this, args);
          try {
            self.#wrapEngine(created);
          } catch (error) {
            self.guard(error);
          }
          return created;
        };
      });
    }
  }
}
