/**
 * Built-in sanitisers: functions whose result is safe for one vulnerability type get their
 * result's taint carried over with that type's secure mark. Escaping functions live in
 * libraries that are not rewritten, so their result is re-tainted here: the input's text is
 * located in the result, or, when escaping changed it, the whole result is covered.
 * - sqlstring and sql-escaper escape/escapeId (mysql's and mysql2's escape, format and
 *   placeholders),
 *   and format, where only the values are marked (a tainted template stays unsanitised);
 * - pg-format literal/ident/string;
 * - shell-quote quote;
 * - path.basename (a base name cannot leave its directory).
 * parseInt/Number need nothing: a number carries no taint, so text built from one is clean.
 */
import path from 'node:path';
import { locateRanges } from '../propagation/locate.js';
import { createTainter, type Tainter } from '../propagation/tainter.js';
import { addMarks, merge, whole } from '../taint/ranges.js';
import type { Range, TaintEngine } from '../taint/types.js';
import { markBit, type TaintedType } from '../vulnerability-types.js';
import type { Instrumentation } from './instrumentation.js';
import type { ModuleHooks, ModulePatch } from './require-hook.js';
import { Shim } from './shim.js';

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

export const SUPPORTED = [
  { module: 'sqlstring', versions: '>=2.0.0 <3' },
  { module: 'sql-escaper', versions: '>=1.0.0 <2' },
  { module: 'pg-format', versions: '>=1.0.0 <2' },
  { module: 'shell-quote', versions: '>=1.6.0 <2' },
  { module: 'node:path', versions: '>=20' },
] as const;

function stringsIn(value: unknown): unknown[] {
  return Array.isArray(value) ? value.flat(Number.POSITIVE_INFINITY) : [value];
}

/** `result` carrying the taint of the strings in `inputs`, marked safe for `type`. */
export function sanitised(
  t: Tainter,
  result: unknown,
  inputs: readonly unknown[],
  type: TaintedType,
): unknown {
  if (typeof result !== 'string' || result.length === 0) return result;
  const flat = inputs.flatMap(stringsIn);
  const tainted = flat.flatMap((v) => t.ranges(v) ?? []);
  if (tainted.length === 0) return result;
  const located = locateRanges(t, result, flat) ?? whole(tainted, result.length);
  return t.make(result, addMarks(located, markBit(type)));
}

/** format(template, values): the template's taint as is, the values' taint marked. */
function formatted(
  t: Tainter,
  result: unknown,
  template: unknown,
  values: readonly unknown[],
  type: TaintedType,
) {
  if (typeof result !== 'string' || result.length === 0) return result;
  const fromTemplate = locateRanges(t, result, [template]) ?? [];
  const fromValues = locateRanges(t, result, values.flatMap(stringsIn)) ?? [];
  const ranges: Range[] = [...fromTemplate];
  for (const r of addMarks(fromValues, markBit(type)))
    if (!fromTemplate.some((x) => x.start < r.end && r.start < x.end)) ranges.push(r);
  if (ranges.length === 0) return result;
  return t.make(result, merge(ranges.sort((a, b) => a.start - b.start)));
}

export class SanitizerInstrumentation implements Instrumentation {
  readonly name = 'sanitizers';
  readonly #shim = new Shim('sanitizers');
  #patches: ModulePatch[] = [];

  constructor(
    private readonly engine: () => TaintEngine | undefined,
    private readonly hooks: ModuleHooks,
    private readonly guard: (error: unknown) => void,
  ) {}

  /** Wraps `target[name]`; `after` computes the tainted result (failures: the plain one). */
  #wrap(
    target: object,
    name: string,
    after: (t: Tainter, result: unknown, args: unknown[]) => unknown,
  ): void {
    const self = this;
    this.#shim.wrap(target, name, (original: AnyFunction) => {
      return function (this: unknown, ...args: unknown[]): unknown {
        const result = Reflect.apply(original, this, args);
        const engine = self.engine();
        if (engine === undefined || typeof result !== 'string') return result;
        try {
          return after(createTainter(engine), result, args);
        } catch (error) {
          self.guard(error);
          return result;
        }
      };
    });
  }

  enable(): void {
    if (this.#patches.length > 0) return;
    const marked =
      (type: TaintedType) =>
      (t: Tainter, result: unknown, args: unknown[]): unknown =>
        sanitised(t, result, [args[0]], type);
    // sqlstring (mysql, older mysql2) and sql-escaper (recent mysql2 3.x) share their API.
    const sqlEscaping = (exports: unknown) => {
      const target = exports as object;
      this.#wrap(target, 'escape', marked('SQL_INJECTION'));
      this.#wrap(target, 'escapeId', marked('SQL_INJECTION'));
      this.#wrap(target, 'format', (t, result, args) =>
        formatted(t, result, args[0], stringsIn(args[1]), 'SQL_INJECTION'),
      );
    };
    this.#patches = [
      { package: 'sqlstring', file: 'lib/SqlString.js', versions: SUPPORTED[0].versions, patch: sqlEscaping },
      { package: 'sql-escaper', file: 'lib/index.js', versions: SUPPORTED[1].versions, patch: sqlEscaping },
      {
        package: 'pg-format',
        file: 'lib/index.js',
        versions: SUPPORTED[2].versions,
        patch: (exports) => {
          for (const name of ['literal', 'ident', 'string'])
            this.#wrap(exports as object, name, marked('SQL_INJECTION'));
        },
      },
      {
        package: 'shell-quote',
        file: 'index.js',
        versions: SUPPORTED[3].versions,
        patch: (exports) => this.#wrap(exports as object, 'quote', marked('COMMAND_INJECTION')),
      },
    ];
    for (const patch of this.#patches) this.hooks.add(patch);
    for (const api of new Set([path.posix, path.win32]))
      this.#wrap(api, 'basename', (t, result) => {
        const ranges = t.ranges(result);
        return ranges ? t.make(result as string, addMarks(ranges, markBit('PATH_TRAVERSAL'))) : result;
      });
  }

  disable(): void {
    for (const patch of this.#patches) this.hooks.remove(patch);
    this.#patches = [];
    this.#shim.restore();
  }
}
