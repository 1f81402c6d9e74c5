/**
 * Built-in sanitisers: functions whose result is safe for one vulnerability type get their
 * result's taint carried over with that type's secure mark. Escaping functions live in
 * libraries that are not rewritten, so their result is re-tainted here: the input's text is
 * located in the result, or, when escaping changed it, the whole result is covered.
 * - sqlstring and sql-escaper escape/escapeId (mysql's and mysql2's escape, format and
 *   placeholders),
 *   and format, where only the values are marked (a tainted template stays unsanitised);
 * - pg-format literal and ident, and format/withArray, where only the values placed by %L and
 *   %I are marked: %s (and pg-format's `string`) insert a value as it is;
 * - shell-quote quote;
 * - path.basename (a base name cannot leave its directory);
 * - HTML escaping (XSS): escape-html, lodash escape, he encode/escape, validator escape, and
 *   the template engines' own (ejs escapeXML, handlebars escapeExpression, pug-runtime escape).
 * parseInt/Number need nothing: a number carries no taint, so text built from one is clean.
 */
import path from 'node:path';
import { locateRanges } from '../propagation/locate.js';
import { createTainter, type Tainter } from '../propagation/tainter.js';
import { validatorLibraryPatch } from '../security-controls/validator-library.js';
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
  { module: 'escape-html', versions: '>=1.0.0 <2' },
  { module: 'lodash', versions: '>=4.0.0 <5' },
  { module: 'he', versions: '>=1.0.0 <2' },
  { module: 'validator', versions: '>=13.0.0 <14' },
  { module: 'ejs', versions: '>=3.0.0 <4' },
  { module: 'handlebars', versions: '>=4.0.0 <5' },
  { module: 'pug-runtime', versions: '>=3.0.0 <4' },
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

/**
 * ejs gives escapeXML its own toString (client-side templates inline the function's source):
 * the wrapper answers with the original's.
 */
export function keepToString(target: Record<string, unknown>, name: string, original: unknown): void {
  const wrapper = target[name];
  if (typeof original !== 'function' || wrapper === original || !Object.hasOwn(original, 'toString')) return;
  Object.defineProperty(wrapper, 'toString', {
    value: () => (original as { toString(): string }).toString(),
    configurable: true,
    writable: true,
  });
}

/** A pg-format placeholder: `%%`, or `%L`, `%I`, `%s`, optionally positional (`%2$L`). */
const PG_FORMAT_PLACEHOLDER = /%(%|(\d+\$)?[ILs])/g;

/**
 * pg-format's format(template, values): the template's taint as is, the taint of values that
 * %L or %I quoted marked safe for SQL, and that of values %s inserted unmarked.
 */
export function pgFormatted(
  t: Tainter,
  result: unknown,
  template: unknown,
  values: readonly unknown[],
): unknown {
  if (typeof result !== 'string' || result.length === 0 || typeof template !== 'string') return result;
  const quoted: unknown[] = [];
  const inserted: unknown[] = [];
  let index = 0;
  for (const m of template.matchAll(PG_FORMAT_PLACEHOLDER)) {
    const type = m[1] as string;
    if (type === '%') continue;
    const position = m[2] === undefined ? index : Number.parseInt(m[2], 10) - 1;
    index = position + 1;
    (type.endsWith('s') ? inserted : quoted).push(values[position]);
  }
  const ranges: Range[] = [
    ...(locateRanges(t, result, [template]) ?? []),
    ...(locateRanges(t, result, inserted.flatMap(stringsIn)) ?? []),
  ];
  const safe = addMarks(locateRanges(t, result, quoted.flatMap(stringsIn)) ?? [], markBit('SQL_INJECTION'));
  for (const r of safe) if (!ranges.some((x) => x.start < r.end && r.start < x.end)) ranges.push(r);
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
          const format = exports as object;
          for (const name of ['literal', 'ident']) this.#wrap(format, name, marked('SQL_INJECTION'));
          this.#wrap(format, 'withArray', (t, result, args) =>
            pgFormatted(t, result, args[0], Array.isArray(args[1]) ? args[1] : []),
          );
        },
        // The module's exports are format itself: its wrapper replaces them, with its properties.
        replace: (exports) => {
          const format = exports as object;
          const holder = { format };
          this.#wrap(holder, 'format', (t, result, args) => pgFormatted(t, result, args[0], args.slice(1)));
          for (const key of Reflect.ownKeys(format))
            if (!Object.hasOwn(holder.format, key))
              Object.defineProperty(
                holder.format,
                key,
                Object.getOwnPropertyDescriptor(format, key) as PropertyDescriptor,
              );
          return holder.format;
        },
      },
      {
        package: 'shell-quote',
        file: 'index.js',
        versions: SUPPORTED[3].versions,
        patch: (exports) => this.#wrap(exports as object, 'quote', marked('COMMAND_INJECTION')),
      },
    ];
    this.#patches.push(...this.#htmlEscaping(marked('XSS')));
    // validator.js validators (isInt, isUUID...): a true result marks the argument safe.
    this.#patches.push(validatorLibraryPatch(this.engine, (t, n, f) => this.#shim.wrap(t, n, f), this.guard));
    for (const patch of this.#patches) this.hooks.add(patch);
    for (const api of new Set([path.posix, path.win32]))
      this.#wrap(api, 'basename', (t, result) => {
        const ranges = t.ranges(result);
        return ranges ? t.make(result as string, addMarks(ranges, markBit('PATH_TRAVERSAL'))) : result;
      });
  }

  /** HTML escaping functions; the result is safe for XSS. */
  #htmlEscaping(after: (t: Tainter, result: unknown, args: unknown[]) => unknown): ModulePatch[] {
    const methods =
      (...names: string[]) =>
      (exports: unknown) => {
        for (const name of names) this.#wrap(exports as object, name, after);
      };
    return [
      {
        package: 'escape-html',
        file: 'index.js',
        versions: SUPPORTED[5].versions,
        patch: () => {},
        // The module's exports are the function itself: its wrapper replaces them.
        replace: (exports) => {
          const holder = { escapeHtml: exports };
          this.#wrap(holder, 'escapeHtml', after);
          return holder.escapeHtml;
        },
      },
      { package: 'lodash', file: 'lodash.js', versions: SUPPORTED[6].versions, patch: methods('escape') },
      { package: 'he', file: 'he.js', versions: SUPPORTED[7].versions, patch: methods('encode', 'escape') },
      { package: 'validator', file: 'index.js', versions: SUPPORTED[8].versions, patch: methods('escape') },
      {
        package: 'ejs',
        file: 'lib/utils.js',
        versions: SUPPORTED[9].versions,
        patch: (exports) => {
          const original = (exports as { escapeXML?: unknown }).escapeXML;
          this.#wrap(exports as object, 'escapeXML', after);
          keepToString(exports as Record<string, unknown>, 'escapeXML', original);
        },
      },
      {
        package: 'handlebars',
        file: 'dist/cjs/handlebars/utils.js',
        versions: SUPPORTED[10].versions,
        patch: methods('escapeExpression'),
      },
      {
        package: 'pug-runtime',
        file: 'index.js',
        versions: SUPPORTED[11].versions,
        patch: methods('escape'),
      },
    ];
  }

  disable(): void {
    for (const patch of this.#patches) this.hooks.remove(patch);
    this.#patches = [];
    this.#shim.restore();
  }
}
