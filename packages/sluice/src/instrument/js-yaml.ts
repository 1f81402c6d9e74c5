/**
 * js-yaml: load/loadAll (and 3.x's safeLoad/safeLoadAll) publish on `sluice:deserialize` only
 * when the schema in effect has JavaScript types (`!!js/function`, `!!js/regexp`,
 * `!!js/undefined`): js-yaml 3's load defaults to DEFAULT_FULL_SCHEMA, which has them (its
 * `!!js/function` builds a function from the document); safeLoad's DEFAULT_SAFE_SCHEMA and
 * js-yaml 4's DEFAULT_SCHEMA do not, and 4 has them only when the application passes a schema
 * extended with them (js-yaml-js-types). The ES module build of js-yaml 4
 * (dist/js-yaml.mjs) is a separate bundle that this hook does not see.
 */
import { channel } from '../channels.js';
import type { Instrumentation } from './instrumentation.js';
import type { ModuleHooks, ModulePatch } from './require-hook.js';
import { Shim } from './shim.js';
import { publishingCall } from './sink-call.js';

export const SUPPORTED = { module: 'js-yaml', versions: '>=3.0.0 <5' } as const;

const JS_TAG = 'tag:yaml.org,2002:js/';

interface YamlExports {
  DEFAULT_FULL_SCHEMA?: unknown;
  DEFAULT_SAFE_SCHEMA?: unknown;
  DEFAULT_SCHEMA?: unknown;
}

/** The schema has a JavaScript type (in its compiled tag map: flat before 3.10, by kind since). */
function hasJsTypes(schema: unknown): boolean {
  const map = (schema as { compiledTypeMap?: Record<string, unknown> } | null | undefined)?.compiledTypeMap;
  if (map === null || typeof map !== 'object') return false;
  const tags = map.fallback !== null && typeof map.fallback === 'object' ? map.fallback : map;
  return Object.keys(tags as object).some((tag) => tag.startsWith(JS_TAG));
}

/** `options` of load(input, options) and loadAll(input, iterator?, options). */
function optionsOf(api: string, args: unknown[]): { schema?: unknown } | undefined {
  const candidate = api.endsWith('All') && typeof args[1] === 'function' ? args[2] : args[1];
  return candidate !== null && typeof candidate === 'object'
    ? (candidate as { schema?: unknown })
    : undefined;
}

function defaultSchema(api: string, yaml: YamlExports): unknown {
  if (api.startsWith('safe')) return yaml.DEFAULT_SAFE_SCHEMA;
  // 3.x: DEFAULT_FULL_SCHEMA; 4.x has none and loads with DEFAULT_SCHEMA.
  return yaml.DEFAULT_FULL_SCHEMA ?? yaml.DEFAULT_SCHEMA;
}

export class JsYamlInstrumentation implements Instrumentation {
  readonly name = 'js-yaml';
  readonly #shim = new Shim('js-yaml');
  readonly #deserialize = channel('sluice:deserialize');
  #patch: ModulePatch | undefined;

  constructor(
    private readonly hooks: ModuleHooks,
    private readonly guard: (error: unknown) => void,
  ) {}

  enable(): void {
    if (this.#patch) return;
    // index.js is the package's CommonJS entry in 3.x and 4.x (3.x re-exports lib/js-yaml.js).
    this.#patch = {
      package: 'js-yaml',
      file: 'index.js',
      versions: SUPPORTED.versions,
      patch: (exports) => this.#wrap(exports),
    };
    this.hooks.add(this.#patch);
  }

  disable(): void {
    if (this.#patch) this.hooks.remove(this.#patch);
    this.#patch = undefined;
    this.#shim.restore();
  }

  #wrap(exports: unknown): void {
    if (exports === null || typeof exports !== 'object') return;
    const yaml = exports as YamlExports;
    for (const api of ['load', 'loadAll', 'safeLoad', 'safeLoadAll']) {
      this.#shim.wrap(
        exports,
        api,
        publishingCall(this.#deserialize, this.guard, (args) => {
          const schema = optionsOf(api, args)?.schema ?? defaultSchema(api, yaml);
          return hasJsTypes(schema) ? { library: 'js-yaml', api, data: args[0] } : undefined;
        }),
      );
    }
  }
}
